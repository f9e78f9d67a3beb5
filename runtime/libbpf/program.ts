// A program of a BpfObject. Attach methods return BpfLinks owned by the object, so closing the
// object detaches everything that is still attached.

import { constants as osConstants } from 'node:os';
import { ffi, OPTS_SIZE, type LinkPtr, type ProgramPtr } from './ffi';
import { HandleStateError, checkPtr, checkRet } from './errors';
import type { Lifetime } from './lifetime';
import { BpfLink } from './link';
import { capture } from './print';
import { testRunFd, type TestRunOptions, type TestRunResult } from './test-run';

const { ENOENT, EBUSY } = osConstants.errno;

export interface ProgramOwner {
  readonly lifetime: Lifetime;
  readonly loaded: boolean;
  readonly name: string;
}

export interface UprobeOptions {
  /** -1 (default): every process; otherwise only that pid */
  pid?: number;
  /** path of the ELF binary or shared library (libbpf also resolves bare library names) */
  binary: string;
  /** byte offset in the file, or relative to funcName when that is given */
  offset?: number;
  /** a symbol libbpf resolves in binary */
  funcName?: string;
  retprobe?: boolean;
  /** value of bpf_get_attach_cookie() inside the program */
  cookie?: bigint;
  /** file offset of a USDT semaphore: the kernel raises it in every process the probe is in */
  refCtrOffset?: number;
}

/** What the kernel reports about a loaded program (struct bpf_prog_info, the fields we read). */
export interface ProgramInfo {
  id: number;
  /** BPF instructions after the verifier's rewrites, in bytes (8 per instruction). */
  xlatedBytes: number;
  /** Native code size after JIT, in bytes (0 when the JIT is off). */
  jitedBytes: number;
  /** Instructions the verifier walked (kernel ≥ 5.16; 0 before). */
  verifiedInsns: number;
}

// Offsets in the UAPI struct bpf_prog_info; the kernel accepts a shorter or longer buffer and
// reports how much it filled.
const PROG_INFO_SIZE = 232;
const INFO = { id: 4, jitedProgLen: 16, xlatedProgLen: 20, verifiedInsns: 216 } as const;

export class BpfProgram {
  readonly #ptr: ProgramPtr;
  #logBuf: Buffer | null = null;
  readonly #owner: ProgramOwner;
  readonly name: string;
  readonly sectionName: string;

  /** @internal use BpfObject.program() / programs() */
  constructor(ptr: ProgramPtr, owner: ProgramOwner) {
    this.#ptr = ptr;
    this.#owner = owner;
    const L = ffi().libbpf;
    this.name = L.bpf_program__name(ptr);
    this.sectionName = L.bpf_program__section_name(ptr);
  }

  #open(op: string): ProgramPtr {
    this.#owner.lifetime.assertOpen(`${op}(${this.name})`);
    return this.#ptr;
  }

  #loaded(op: string): ProgramPtr {
    const p = this.#open(op);
    if (!this.#owner.loaded) {
      throw new HandleStateError(`${op}(${this.name})`, `object '${this.#owner.name}' is not loaded yet`, ENOENT);
    }
    return p;
  }

  /** enum bpf_prog_type, resolved from the section name at open */
  get type(): number {
    return ffi().libbpf.bpf_program__type(this.#open('bpf_program__type'));
  }

  get autoload(): boolean {
    return ffi().libbpf.bpf_program__autoload(this.#open('bpf_program__autoload'));
  }

  /** Before load: a program not autoloaded is never sent to the verifier. */
  setAutoload(on: boolean): void {
    const p = this.#open('bpf_program__set_autoload');
    if (this.#owner.loaded) throw new HandleStateError(`bpf_program__set_autoload(${this.name})`, 'the object is already loaded', EBUSY);
    checkRet(ffi().libbpf.bpf_program__set_autoload(p, on), `bpf_program__set_autoload(${this.name})`);
  }

  get fd(): number {
    const p = this.#loaded('bpf_program__fd');
    return checkRet(ffi().libbpf.bpf_program__fd(p), `bpf_program__fd(${this.name})`);
  }

  #link(op: string, what: string, call: (p: ProgramPtr) => LinkPtr | null): BpfLink {
    const p = this.#loaded(op);
    const label = `${op}(${this.name}, ${what})`;
    const ptr = capture((messages) => {
      const r = call(p);
      const errno = ffi().errno();
      return checkPtr(r, label, errno, { messages });
    });
    return new BpfLink(ptr, `${this.name} → ${what}`, this.#owner.lifetime);
  }

  /** Attaches by section name: tracepoint/CAT/NAME, raw_tp/NAME, uprobe/…, kprobe/…, fentry/…. */
  attach(): BpfLink {
    return this.#link('bpf_program__attach', this.sectionName, (p) => ffi().libbpf.bpf_program__attach(p));
  }

  attachTracepoint(category: string, name: string): BpfLink {
    return this.#link('bpf_program__attach_tracepoint', `${category}:${name}`,
      (p) => ffi().libbpf.bpf_program__attach_tracepoint(p, category, name));
  }

  attachRawTracepoint(name: string): BpfLink {
    return this.#link('bpf_program__attach_raw_tracepoint', name,
      (p) => ffi().libbpf.bpf_program__attach_raw_tracepoint(p, name));
  }

  /** Takes ownership of perfFd: the link closes it on destroy, and it is closed here on failure
   * (libbpf only owns it once attached, README trap 7). */
  attachPerfEvent(perfFd: number): BpfLink {
    try {
      return this.#link('bpf_program__attach_perf_event', `perf fd ${perfFd}`,
        (p) => ffi().libbpf.bpf_program__attach_perf_event(p, perfFd));
    } catch (e) {
      ffi().libc.close(perfFd);
      throw e;
    }
  }

  attachUprobe(o: UprobeOptions): BpfLink {
    const pid = o.pid ?? -1;
    const where = `${o.binary}:${o.funcName ?? ''}${o.offset ? `+0x${o.offset.toString(16)}` : ''}${pid >= 0 ? ` pid ${pid}` : ''}`;
    const op = o.retprobe ? 'bpf_program__attach_uprobe_opts[ret]' : 'bpf_program__attach_uprobe_opts';
    return this.#link(op, where, (p) => ffi().libbpf.bpf_program__attach_uprobe_opts(p, pid, o.binary, o.offset ?? 0, {
      sz: OPTS_SIZE.uprobe,
      retprobe: o.retprobe ?? false,
      func_name: o.funcName ?? null,
      bpf_cookie: o.cookie ?? 0n,
      ref_ctr_offset: o.refCtrOffset ?? 0,
    }));
  }

  /** Kernels built without kprobes (this machine's) answer ENOENT/EOPNOTSUPP here. */
  attachKprobe(func: string, retprobe = false, offset = 0): BpfLink {
    return this.#link('bpf_program__attach_kprobe_opts', `${retprobe ? 'kretprobe' : 'kprobe'}:${func}${offset ? `+${offset}` : ''}`,
      (p) => ffi().libbpf.bpf_program__attach_kprobe_opts(p, func, { sz: OPTS_SIZE.kprobe, retprobe, offset }));
  }

  /** One kprobe_multi link for many functions, given by address (a kprobe.multi/ section). */
  attachKprobeMulti(addrs: bigint[], retprobe: boolean, what: string): BpfLink {
    const buf = Buffer.alloc(8 * addrs.length);
    addrs.forEach((a, i) => buf.writeBigUInt64LE(a, 8 * i));
    return this.#link('bpf_program__attach_kprobe_multi_opts', what,
      (p) => ffi().libbpf.bpf_program__attach_kprobe_multi_opts(p, null, { sz: OPTS_SIZE.kprobeMulti, addrs: buf, cnt: addrs.length, retprobe }));
  }

  /** An iter/OBJECT program (task, task_file): the link only makes iterators; see createIterator. */
  attachIter(): BpfLink {
    return this.#link('bpf_program__attach_iter', this.sectionName, (p) => ffi().libbpf.bpf_program__attach_iter(p, null));
  }

  /** A new iterator of an attachIter link: an fd whose reads run this program over the kernel's
   * objects (every task …) until EOF. The caller closes it. */
  createIterator(link: BpfLink): number {
    this.#loaded('bpf_iter_create');
    return checkRet(ffi().libbpf.bpf_iter_create(link.fd), `bpf_iter_create(${this.name})`);
  }

  /** fentry/fexit (kfunc/kretfunc): the target comes from the section name at open. */
  attachTrace(): BpfLink {
    return this.#link('bpf_program__attach_trace', this.sectionName, (p) => ffi().libbpf.bpf_program__attach_trace(p));
  }

  /** Before load: give this program its own verifier log of `size` bytes. Level 1 traces every
   * instruction, 2 more verbosely, 4 only the statistics (instructions processed, stack depth). */
  setLogBuffer(size: number, level: number): void {
    const p = this.#open('bpf_program__set_log_buf');
    if (this.#owner.loaded) throw new HandleStateError(`bpf_program__set_log_buf(${this.name})`, 'the object is already loaded', EBUSY);
    const buf = Buffer.alloc(size);
    checkRet(ffi().libbpf.bpf_program__set_log_buf(p, buf, size), `bpf_program__set_log_buf(${this.name})`);
    checkRet(ffi().libbpf.bpf_program__set_log_level(p, level), `bpf_program__set_log_level(${this.name})`);
    this.#logBuf = buf;
  }

  /** This program's verifier log, when setLogBuffer was called before load. */
  get log(): string {
    const b = this.#logBuf;
    if (!b) return '';
    const end = b.indexOf(0);
    return b.toString('utf8', 0, end < 0 ? b.length : end);
  }

  /** The kernel's figures for the loaded program (bpf_obj_get_info_by_fd). */
  info(): ProgramInfo {
    const fd = this.fd;
    const info = Buffer.alloc(PROG_INFO_SIZE);
    const len = Buffer.alloc(4);
    len.writeUInt32LE(PROG_INFO_SIZE);
    checkRet(ffi().libbpf.bpf_obj_get_info_by_fd(fd, info, len), `bpf_obj_get_info_by_fd(${this.name})`);
    const filled = len.readUInt32LE(0);
    return {
      id: info.readUInt32LE(INFO.id),
      xlatedBytes: info.readUInt32LE(INFO.xlatedProgLen),
      jitedBytes: info.readUInt32LE(INFO.jitedProgLen),
      verifiedInsns: filled >= INFO.verifiedInsns + 4 ? info.readUInt32LE(INFO.verifiedInsns) : 0,
    };
  }

  /** Runs the program once in the kernel: how BEGIN and END (raw_tp programs) are fired. */
  testRun(o: TestRunOptions = {}): TestRunResult {
    return testRunFd(this.fd, this.name, o);
  }
}
