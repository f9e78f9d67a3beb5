// A fake machine for tests that need no root and no kernel: the kernel readers of common/kernel see
// recorded tracefs formats, kallsyms lines and filter functions (test/unit/fixtures/host/, served
// at the same paths under /) and a small kernel BTF encoded here, as bpftrace's tests do with their
// MockKernelInfo, and answer feature probes as configured. Anything else is absent, as on a machine
// without it.

import { readdirSync, readFileSync, statSync } from 'node:fs';
import { constants } from 'node:os';
import { join, posix } from 'node:path';
import type { FeatureProbe, Host, HostStat } from '../common/kernel/host';
import { BTF_INT_CHAR, BTF_INT_SIGNED, BtfWriter } from './unit/btf-writer';

export const FIXTURE_ROOT = join(__dirname, '..', '..', 'test', 'unit', 'fixtures', 'host');

function noEntry(path: string): Error {
  return Object.assign(new Error(`ENOENT: no such file or directory, open '${path}'`), { code: 'ENOENT' });
}

export class FakeHost implements Host {
  readonly #files = new Map<string, Buffer>();
  readonly #dirs = new Set<string>(['/']);
  readonly #executables = new Set<string>();
  // As this machine answers: tracing programs refused, no fprobe behind kprobe_multi links.
  readonly #probeAnswers: Record<FeatureProbe['kind'], number | null> = { tracing: constants.errno.EPERM, 'kprobe-multi': constants.errno.EOPNOTSUPP };
  /** The feature probes the compiler asked, in order. */
  readonly probesAsked: FeatureProbe[] = [];

  /** Adds (or replaces) a file; its directories come into being with it. */
  add(path: string, content: string | Buffer, opts: { executable?: boolean } = {}): this {
    const p = posix.normalize(path);
    this.#files.set(p, typeof content === 'string' ? Buffer.from(content, 'latin1') : content);
    if (opts.executable) this.#executables.add(p);
    for (let d = posix.dirname(p); !this.#dirs.has(d); d = posix.dirname(d)) this.#dirs.add(d);
    return this;
  }

  /** A directory with nothing in it (a PMU under /sys/bus/event_source/devices). */
  addDir(path: string): this {
    for (let d = posix.normalize(path); !this.#dirs.has(d); d = posix.dirname(d)) this.#dirs.add(d);
    return this;
  }

  /** What the kernel answers to loading a feature probe of this kind: null takes it, else the errno. */
  answer(kind: FeatureProbe['kind'], errno: number | null): this {
    this.#probeAnswers[kind] = errno;
    return this;
  }

  readFile(path: string): Buffer {
    const f = this.#files.get(posix.normalize(path));
    if (!f) throw noEntry(path);
    return f;
  }

  readHead(path: string, bytes: number): Buffer {
    return this.readFile(path).subarray(0, bytes);
  }

  listDir(path: string): string[] {
    const d = posix.normalize(path);
    if (!this.#dirs.has(d)) throw noEntry(path);
    const prefix = d === '/' ? '/' : `${d}/`;
    const names = new Set<string>();
    for (const p of [...this.#files.keys(), ...this.#dirs]) {
      if (p.startsWith(prefix) && p !== d) names.add(p.slice(prefix.length).split('/')[0]);
    }
    return [...names].sort();
  }

  stat(path: string): HostStat {
    const p = posix.normalize(path);
    const f = this.#files.get(p);
    if (!f && !this.#dirs.has(p)) throw noEntry(path);
    // A stable identity per path: the compile cache compares these.
    let ino = 0;
    for (const ch of p) ino = (ino * 31 + ch.charCodeAt(0)) >>> 0;
    return { dev: 1, ino, size: f?.length ?? 0, mtimeMs: 0, isFile: !!f };
  }

  exists(path: string): boolean {
    const p = posix.normalize(path);
    return this.#files.has(p) || this.#dirs.has(p);
  }

  executable(path: string): boolean {
    return this.#executables.has(posix.normalize(path));
  }

  isRoot(): boolean {
    return false;
  }

  mountTracefs(): boolean {
    return false;
  }

  loadFeatureProbe(probe: FeatureProbe): number | null {
    this.probesAsked.push(probe);
    return this.#probeAnswers[probe.kind];
  }
}

/**
 * The fake kernel's types: a few of the real kernel's, with made-up but self-consistent layouts
 * (task_struct, file, path, dentry, qstr) and two traceable functions with prototypes.
 */
export function fakeKernelBtf(): Buffer {
  const w = new BtfWriter();
  const int = w.int('int', 4, BTF_INT_SIGNED);
  const uint = w.int('unsigned int', 4);
  const long = w.int('long', 8, BTF_INT_SIGNED);
  const ulong = w.int('unsigned long', 8);
  const char = w.int('char', 1, BTF_INT_SIGNED | BTF_INT_CHAR);
  const uchar = w.int('unsigned char', 1, BTF_INT_CHAR);
  const llong = w.int('long long', 8, BTF_INT_SIGNED);
  const u32 = w.typedef('u32', uint);
  const pidT = w.typedef('pid_t', int);
  const sizeT = w.typedef('size_t', ulong);
  const ssizeT = w.typedef('ssize_t', long);
  const loffT = w.typedef('loff_t', llong);
  const comm = w.array(char, int, 16);

  const task = w.struct('task_struct');
  const mm = w.struct('mm_struct');
  const taskPtr = w.ptr(task);
  w.members(task, 64, [
    ['__state', uint, 0],
    ['pid', pidT, 64],
    ['tgid', pidT, 96],
    ['comm', comm, 128],
    ['real_parent', taskPtr, 256],
    ['parent', taskPtr, 320],
    ['mm', w.ptr(mm), 384],
    ['flags', uint, 448],
  ]);
  w.members(mm, 16, [['start_code', ulong, 0], ['total_vm', ulong, 64]]);

  const qstr = w.struct('qstr');
  w.members(qstr, 16, [['hash', u32, 0], ['len', u32, 32], ['name', w.ptr(w.const(uchar)), 64]]);
  const dentry = w.struct('dentry');
  w.members(dentry, 24, [['d_parent', w.ptr(dentry), 0], ['d_name', qstr, 64]]);
  const path = w.struct('path');
  w.members(path, 16, [['mnt', w.ptr(w.struct('vfsmount')), 0], ['dentry', w.ptr(dentry), 64]]);
  const file = w.struct('file');
  w.members(file, 32, [['f_path', path, 0], ['f_flags', uint, 128], ['f_pos', loffT, 192]]);
  w.enum('pid_type', 4, [['PIDTYPE_PID', 0], ['PIDTYPE_TGID', 1], ['PIDTYPE_PGID', 2]]);

  const charPtr = w.ptr(char);
  w.func('vfs_read', ssizeT, [['file', w.ptr(file)], ['buf', charPtr], ['count', sizeT], ['pos', w.ptr(loffT)]]);
  w.func('ksys_read', ssizeT, [['fd', uint], ['buf', charPtr], ['count', sizeT]]);
  return w.build();
}

function addTree(h: FakeHost, dir: string, at: string): void {
  for (const name of readdirSync(dir)) {
    const src = join(dir, name);
    if (statSync(src).isDirectory()) addTree(h, src, posix.join(at, name));
    else if (name !== 'README.md') h.add(posix.join(at, name), readFileSync(src));
  }
}

/**
 * A machine with kprobes (unless `kprobes: false`) and uprobes, tracefs at /sys/kernel/tracing, the
 * fixtures and the BTF above.
 */
export function fakeKernel(o: { kprobes?: boolean } = {}): FakeHost {
  const h = new FakeHost();
  addTree(h, FIXTURE_ROOT, '/');
  h.add('/sys/kernel/btf/vmlinux', fakeKernelBtf());
  if (o.kprobes !== false) h.addDir('/sys/bus/event_source/devices/kprobe');
  h.addDir('/sys/bus/event_source/devices/uprobe');
  return h;
}
