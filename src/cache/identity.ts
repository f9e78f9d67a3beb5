// What besides the script decides the compiled program: this compiler's code, the kernel, and the
// environment knobs the compiler reads. Any change gives a different cache key.

import { type Dirent, readFileSync, readdirSync, statSync } from 'node:fs';
import { readTrusted, writeTrusted } from './trusted-files';
import { release, version } from 'node:os';
import { basename, join } from 'node:path';

const PACKAGE_ROOT = join(__dirname, '..', '..', '..');

/** Every compiler file with what a rewrite would change: path, inode, size, mtime, ctime (which no
 * extractor can preserve, unlike npm's fixed mtimes). ~1 ms of stats. */
function compilerFileStats(): { files: string[]; signature: string } {
  const found: { path: string; line: string }[] = [];
  // Dirent types and plain concatenation: statting directories and path.join cost as much as the files.
  const walk = (dir: string) => {
    let entries: Dirent[];
    try {
      entries = readdirSync(dir, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries) {
      const p = `${dir}/${e.name}`;
      if (e.isDirectory()) walk(p);
      else if (e.name.endsWith('.js')) {
        const st = statSync(p);
        found.push({ path: p, line: `${p}:${st.ino}:${st.size}:${st.mtimeMs}:${st.ctimeMs}` });
      }
    }
  };
  for (const d of ['dist/src', 'dist/common', 'dist/grammar']) walk(join(PACKAGE_ROOT, d));
  found.sort((x, y) => (x.path < y.path ? -1 : x.path > y.path ? 1 : 0));
  return { files: found.map((f) => f.path), signature: found.map((f) => f.line).join('\n') };
}

/** One memo per installed copy, so two copies sharing a cache directory do not evict each other's. */
function memoName(): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < PACKAGE_ROOT.length; i++) h = Math.imul(h ^ PACKAGE_ROOT.charCodeAt(i), 0x01000193);
  return `compiler-id-${(h >>> 0).toString(16)}`;
}

/**
 * The compiler's own code, by content: an upgrade or an edit changes the key, while a rebuild that
 * rewrites identical files (tsc does, on every run) does not. Reading and hashing ~100 files costs
 * ~5 ms, a tenth of a cached start, so the digest is remembered in the cache directory next to the
 * files' stat signature and recomputed only when a file was touched.
 */
function compilerFiles(memoDir: string | undefined): string {
  const { files, signature } = compilerFileStats();
  const memoPath = memoDir && join(memoDir, memoName());
  if (memoPath) {
    // Trusted like a cache entry, and checked the same way.
    const memo = readTrusted(memoPath)?.toString('utf8');
    const cut = memo?.indexOf('\n') ?? -1;
    if (memo && cut > 0 && memo.slice(cut + 1) === signature) return memo.slice(0, cut);
  }
  const { createHash } = require('node:crypto') as typeof import('node:crypto');
  const h = createHash('sha256');
  for (const p of files) h.update(basename(p)).update(readFileSync(p));
  const digest = h.digest('hex');
  if (memoPath) {
    try {
      writeTrusted(memoPath, [`${digest}\n${signature}`]);
    } catch {
      // A memo that cannot be written only costs the hashing next time.
    }
  }
  return digest;
}

/** Environment variables that may steer compilation (LLVM choice, bpftrace-style limits). */
function steeringEnv(): string {
  return Object.keys(process.env)
    .filter((k) => (k.startsWith('BPFSCRIPT_') && !k.startsWith('BPFSCRIPT_CACHE')) || k.startsWith('BPFTRACE_'))
    .sort()
    .map((k) => `${k}=${process.env[k]}`)
    .join('\n');
}

/** `memoDir`: where the digest of the compiler's files may be remembered (the cache directory, already checked by trustedCacheDir). */
export function identity(memoDir?: string): string {
  return [
    `kernel ${release()} ${version()} ${process.arch}`,
    `node ${process.versions.node}`,
    // A uprobe on a bare command name resolves it through PATH.
    `PATH=${process.env.PATH ?? ''}`,
    steeringEnv(),
    compilerFiles(memoDir),
  ].join('\n');
}
