// What besides the script decides the compiled program: this compiler's code, the kernel, and the
// environment knobs the compiler reads. Any change gives a different cache key.

import { createHash } from 'node:crypto';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { release, version } from 'node:os';
import { join } from 'node:path';

const PACKAGE_ROOT = join(__dirname, '..', '..', '..');

/**
 * The compiler's own code, by content: an upgrade or an edit changes the key, while a rebuild that
 * rewrites identical files (tsc does, on every run) does not. ~90 files, ~2 ms.
 */
function compilerFiles(): string {
  const h = createHash('sha256');
  const walk = (dir: string) => {
    let names: string[];
    try {
      names = readdirSync(dir).sort();
    } catch {
      return;
    }
    for (const n of names) {
      const p = join(dir, n);
      if (statSync(p).isDirectory()) walk(p);
      else if (n.endsWith('.js')) h.update(n).update(readFileSync(p));
    }
  };
  for (const d of ['dist/src', 'dist/grammar']) walk(join(PACKAGE_ROOT, d));
  return h.digest('hex');
}

/** Environment variables that may steer compilation (LLVM choice, bpftrace-style limits). */
function steeringEnv(): string {
  return Object.keys(process.env)
    .filter((k) => (k.startsWith('BPFSCRIPT_') && !k.startsWith('BPFSCRIPT_CACHE')) || k.startsWith('BPFTRACE_'))
    .sort()
    .map((k) => `${k}=${process.env[k]}`)
    .join('\n');
}

export function identity(): string {
  return [
    `kernel ${release()} ${version()} ${process.arch}`,
    `node ${process.versions.node}`,
    // A uprobe on a bare command name resolves it through PATH.
    `PATH=${process.env.PATH ?? ''}`,
    steeringEnv(),
    compilerFiles(),
  ].join('\n');
}
