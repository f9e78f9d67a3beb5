// What a compile read from the system, so a cached result can be checked against the machine as it
// is now. The compiler's modules read tracefs formats, available_events, kallsyms, ELF binaries …
// through node:fs; rather than ask each of them to declare what it read (and silently go stale when
// one forgets), the file reads made during a compile are observed for its duration.

// The module object itself (not an import-star copy, whose properties are read-only getters), so
// the readers patched below are the ones every compiler module calls.
const fs = require('node:fs') as typeof import('node:fs');
import type { Stats } from 'node:fs';
import { createHash } from 'node:crypto';
import { join } from 'node:path';

const PACKAGE_ROOT = join(__dirname, '..', '..', '..');
/** node_modules may link elsewhere (git worktrees sharing one install): its files are the package's too. */
const MODULES = (() => {
  try {
    return fs.realpathSync(join(PACKAGE_ROOT, 'node_modules'));
  } catch {
    return join(PACKAGE_ROOT, 'node_modules');
  }
})();

/** One input: `content` for pseudo-files whose size and mtime mean nothing, `stat` for real files. */
export interface Dependency {
  path: string;
  kind: 'content' | 'stat' | 'listing' | 'absent';
  value: string;
}

function sha(data: string | Buffer): string {
  return createHash('sha256').update(data).digest('hex').slice(0, 32);
}

/** Kernel BTF only changes with the kernel, which the cache key names already; hashing 5 MB per run would eat the gain. */
function coveredByKernelIdentity(path: string): boolean {
  return path.startsWith('/sys/kernel/btf/');
}

function isPseudoFile(path: string): boolean {
  return path.startsWith('/sys/') || path.startsWith('/proc/');
}

function statValue(st: Stats): string {
  return `${st.dev}:${st.ino}:${st.size}:${st.mtimeMs}`;
}

/** The current value of one dependency, computed the way it was recorded. */
export function currentValue(dep: Pick<Dependency, 'path' | 'kind'>): string | undefined {
  try {
    switch (dep.kind) {
      case 'content':
        return sha(fs.readFileSync(dep.path));
      case 'stat':
        return statValue(fs.statSync(dep.path));
      case 'listing':
        return sha(fs.readdirSync(dep.path).sort().join('\n'));
      case 'absent':
        return fs.existsSync(dep.path) ? undefined : '';
    }
  } catch {
    return undefined;
  }
}

export function stillValid(deps: Dependency[]): boolean {
  return deps.every((d) => currentValue(d) === d.value);
}

/** Reads made through a descriptor or relative to the package itself are not system inputs. */
function recordable(p: unknown): p is string {
  return typeof p === 'string' && p.startsWith('/') && !p.startsWith(PACKAGE_ROOT) && !p.startsWith(`${MODULES}/`);
}

/** Where noteStat() reports while a compile is being recorded. */
let recorder: ((path: string, kind: Dependency['kind']) => void) | null = null;

/**
 * Records that the compile depends on `path`'s identity (device, inode, size, mtime): for a
 * compiler module that stat()s rather than reads, as cgroupid() does (a recreated cgroup is a new
 * inode, so a new id).
 */
export function noteStat(path: string): void {
  recorder?.(path, 'stat');
}

/**
 * Runs `fn`, returning its result and every system file it read (or failed to read: a tracepoint
 * that did not exist may exist later, but then the compile failed and nothing is cached anyway).
 */
export function recordingReads<T>(fn: () => T): { result: T; deps: Dependency[] } {
  const seen = new Map<string, Dependency>();
  const note = (path: string, kind: Dependency['kind']) => {
    const key = `${kind}:${path}`;
    if (seen.has(key) || coveredByKernelIdentity(path)) return;
    const value = currentValue({ path, kind });
    seen.set(key, value === undefined ? { path, kind: 'absent', value: '' } : { path, kind, value });
  };
  const mutable = fs as unknown as Record<string, unknown>;
  const origRead = fs.readFileSync;
  const origDir = fs.readdirSync;
  // note() hashes the file through fs.readFileSync, which is this very function: without the guard
  // each read recursed until the stack overflowed (ruinous for a 5 MB /proc/kallsyms).
  let noting = false;
  mutable.readFileSync = function (this: unknown, p: unknown, ...rest: unknown[]) {
    if (recordable(p) && !noting) {
      noting = true;
      try {
        note(p, isPseudoFile(p) ? 'content' : 'stat');
      } finally {
        noting = false;
      }
    }
    return (origRead as (...a: unknown[]) => unknown).call(this, p, ...rest);
  };
  mutable.readdirSync = function (this: unknown, p: unknown, ...rest: unknown[]) {
    if (recordable(p)) note(p, 'listing');
    return (origDir as (...a: unknown[]) => unknown).call(this, p, ...rest);
  };
  recorder = note;
  try {
    const result = fn();
    return { result, deps: [...seen.values()] };
  } finally {
    recorder = null;
    mutable.readFileSync = origRead;
    mutable.readdirSync = origDir;
  }
}
