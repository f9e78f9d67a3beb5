// The one door through which the kernel readers in this folder see the machine: files, directory
// listings and stats, and what only loading a program can tell (common/kernel/features.ts). The real
// host reads this machine; tests put a fake one in its place (recorded BTF, tracefs formats,
// kallsyms, the kernel's answers to feature probes), and the compile cache wraps the current one to
// note what a compile read. Readers cache what they parse per host, so a swapped host never sees
// another's answers.

import { accessSync, closeSync, constants, existsSync, openSync, readdirSync, readFileSync, readSync, statSync } from 'node:fs';

/**
 * An empty program the kernel is asked to load, because sysfs cannot say whether it would:
 *   tracing       a tracing (fentry) program that names no target;
 *   kprobe-multi  a kprobe_multi program, linked to the function at `address`.
 */
export type FeatureProbe = { kind: 'tracing' } | { kind: 'kprobe-multi'; address: bigint };

/** Loads the probe (and links it, for kprobe-multi) and closes it: null when the kernel took it,
 * else the errno of its refusal. Throws when the question could not be asked at all. */
export type FeatureProbeLoader = (probe: FeatureProbe) => number | null;

/** The part of a stat that readers and the compile cache use. */
export interface HostStat {
  dev: number;
  ino: number;
  size: number;
  mtimeMs: number;
  isFile: boolean;
}

export interface Host {
  /** The file's bytes; throws (as node:fs does, with a code) when it cannot be read. */
  readFile(path: string): Buffer;
  /** The file's first `bytes` bytes (fewer when it is shorter); throws when it cannot be read. */
  readHead(path: string, bytes: number): Buffer;
  /** The names in a directory; throws when it cannot be listed. */
  listDir(path: string): string[];
  /** Follows links; throws when the path does not exist. */
  stat(path: string): HostStat;
  exists(path: string): boolean;
  /** Whether this process may execute the file (access X_OK). */
  executable(path: string): boolean;
  /** Whether the process may do what root may (mount tracefs, see kernel addresses). */
  isRoot(): boolean;
  /** Mounts tracefs at `dir`; false when that fails. A fake host mounts nothing. */
  mountTracefs(dir: string): boolean;
  /** What the kernel answers to loading `probe`: see FeatureProbeLoader. */
  loadFeatureProbe(probe: FeatureProbe): number | null;
  /** The host this one wraps (a recording host), so per-host caches are shared with it. */
  readonly inner?: Host;
}

/** Raised when the real host is asked a feature probe before a loader was installed. */
export class FeatureProbeLoaderMissing extends Error {
  constructor() {
    super('no BPF feature-probe loader is installed: whatever drives the compiler (the CLI, runtime/session.ts, a test or tool that compiles in-process) must call useLibbpfFeatureProbes() from runtime/feature-probes.ts first');
  }
}

// Loading a program takes the libbpf binding, which belongs to the runtime: the compiler does not
// import it, whoever drives a real compile installs it here.
let featureProbeLoader: FeatureProbeLoader | undefined;

export function installFeatureProbeLoader(loader: FeatureProbeLoader): void {
  featureProbeLoader = loader;
}

export const realHost: Host = {
  readFile: (path) => readFileSync(path),
  readHead(path, bytes) {
    const fd = openSync(path, 'r');
    try {
      const buf = Buffer.alloc(bytes);
      return buf.subarray(0, readSync(fd, buf, 0, bytes, 0));
    } finally {
      closeSync(fd);
    }
  },
  listDir: (path) => readdirSync(path),
  stat(path) {
    const st = statSync(path);
    return { dev: st.dev, ino: st.ino, size: st.size, mtimeMs: st.mtimeMs, isFile: st.isFile() };
  },
  // stat, not access(2) (Node's existsSync): access checks with the real uid and drops the
  // capabilities of a non-root user, who may read tracefs with CAP_DAC_READ_SEARCH.
  exists: (path) => {
    try {
      statSync(path);
      return true;
    } catch {
      return false;
    }
  },
  executable(path) {
    try {
      accessSync(path, constants.X_OK);
      return true;
    } catch {
      return false;
    }
  },
  isRoot: () => process.getuid?.() === 0,
  mountTracefs(dir) {
    // Required lazily: the compiler's readers otherwise never spawn anything.
    const { spawnSync } = require('node:child_process') as typeof import('node:child_process');
    return spawnSync('mount', ['-t', 'tracefs', 'nodev', dir], { stdio: 'ignore', timeout: 10_000 }).status === 0;
  },
  loadFeatureProbe(probe) {
    if (!featureProbeLoader) throw new FeatureProbeLoaderMissing();
    return featureProbeLoader(probe);
  },
};

let current: Host = realHost;

export function host(): Host {
  return current;
}

/** Runs `fn` with `h` as the host, restoring the previous one afterwards (also on a throw). */
export function withHost<T>(h: Host, fn: () => T): T {
  const prev = current;
  current = h;
  try {
    return fn();
  } finally {
    current = prev;
  }
}

export function readText(path: string, encoding: BufferEncoding = 'utf8'): string {
  return current.readFile(path).toString(encoding);
}

/** The file's text, or null when it cannot be read (absent, no permission). */
export function tryReadText(path: string, encoding: BufferEncoding = 'utf8'): string | null {
  try {
    return readText(path, encoding);
  } catch {
    return null;
  }
}

const memos = new WeakMap<Host, Map<string, unknown>>();

/** `compute()` once per (root) host and key: what a reader parsed stays valid for that host. */
export function perHost<T>(key: string, compute: () => T): T {
  let root = current;
  while (root.inner) root = root.inner;
  let m = memos.get(root);
  if (!m) memos.set(root, (m = new Map()));
  if (!m.has(key)) m.set(key, compute());
  return m.get(key) as T;
}
