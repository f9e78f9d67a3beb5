// What a compile read from the system, so a cached result can be checked against the machine as it
// is now. The compiler reads tracefs formats, available_events, kallsyms, ELF binaries … through
// the kernel readers' one Host (common/kernel/host.ts); rather than ask each reader to declare what it
// read (and silently go stale when one forgets), a compile runs with a host that notes every read.

import { realpathSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { host, withHost, type Host, type HostStat } from '../../common/kernel/host';

const PACKAGE_ROOT = join(__dirname, '..', '..', '..');
/** node_modules may link elsewhere (git worktrees sharing one install): its files are the package's too. */
const MODULES = (() => {
  try {
    return realpathSync(join(PACKAGE_ROOT, 'node_modules'));
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

function statValue(st: HostStat): string {
  return `${st.dev}:${st.ino}:${st.size}:${st.mtimeMs}`;
}

/** The current value of one dependency on host `h`, computed the way it was recorded. */
export function currentValue(dep: Pick<Dependency, 'path' | 'kind'>, h: Host = host()): string | undefined {
  try {
    switch (dep.kind) {
      case 'content':
        return sha(h.readFile(dep.path));
      case 'stat':
        return statValue(h.stat(dep.path));
      case 'listing':
        return sha(h.listDir(dep.path).sort().join('\n'));
      case 'absent':
        return h.exists(dep.path) ? undefined : '';
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
  const inner = host();
  const note = (path: string, kind: Dependency['kind']) => {
    const key = `${kind}:${path}`;
    if (seen.has(key) || coveredByKernelIdentity(path)) return;
    const value = currentValue({ path, kind }, inner);
    seen.set(key, value === undefined ? { path, kind: 'absent', value: '' } : { path, kind, value });
  };
  const noteRead = (p: string) => {
    if (recordable(p)) note(p, isPseudoFile(p) ? 'content' : 'stat');
  };
  const recording: Host = {
    inner,
    stat: (p) => inner.stat(p),
    exists: (p) => inner.exists(p),
    executable: (p) => inner.executable(p),
    isRoot: () => inner.isRoot(),
    mountTracefs: (dir) => inner.mountTracefs(dir),
    loadFeatureProbe: (probe) => inner.loadFeatureProbe(probe),
    readFile(p) {
      noteRead(p);
      return inner.readFile(p);
    },
    readHead(p, bytes) {
      noteRead(p);
      return inner.readHead(p, bytes);
    },
    listDir(p) {
      if (recordable(p)) note(p, 'listing');
      return inner.listDir(p);
    },
  };
  recorder = note;
  try {
    const result = withHost(recording, fn);
    return { result, deps: [...seen.values()] };
  } finally {
    recorder = null;
  }
}
