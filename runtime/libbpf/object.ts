// A BPF ELF object opened from memory (what the compiler emits), loaded into the kernel as a unit.

import { constants as osConstants } from 'node:os';
import { ffi, OPTS_SIZE, type MapPtr, type ObjectPtr, type ProgramPtr } from './ffi';
import { HandleStateError, LibbpfError, checkPtr, invalidArgument } from './errors';
import { Lifetime } from './lifetime';
import { BpfMap } from './map';
import { BpfProgram } from './program';
import { capture } from './print';

const { ENOENT, EINVAL } = osConstants.errno;

export interface OpenOptions {
  /** bytes kept for the verifier log of a failed load (default 4 MiB). The kernel keeps the tail
   * when the log does not fit, which is the part that names the rejected instruction. */
  kernelLogSize?: number;
  /** 0 (default): ask for a log only when a load fails; 1–2: always (see verifierLog) */
  kernelLogLevel?: number;
  /** accept unknown fields in BTF map definitions */
  relaxedMaps?: boolean;
}

function cString(buf: Buffer): string {
  const end = buf.indexOf(0);
  return buf.toString('utf8', 0, end < 0 ? buf.length : end);
}

export class BpfObject {
  #ptr: ObjectPtr | null;
  // libbpf reads the ELF image and writes the log buffer through raw pointers until load returns
  // (README trap 5), so both stay referenced here until then.
  #elf: Buffer | null;
  #logBuf: Buffer | null;
  readonly #logLevel: number;
  #loadTried = false;
  #loaded = false;
  #verifierLog = '';
  readonly #programs = new Map<ProgramPtr, BpfProgram>();
  readonly #maps = new Map<MapPtr, BpfMap>();
  /** @internal shared with this object's programs, maps, links and ring buffers */
  readonly lifetime: Lifetime;
  readonly name: string;

  private constructor(ptr: ObjectPtr, name: string, elf: Buffer, logBuf: Buffer, logLevel: number) {
    this.#ptr = ptr;
    this.#elf = elf;
    this.#logBuf = logBuf;
    this.#logLevel = logLevel;
    this.name = name;
    this.lifetime = new Lifetime(`BPF object '${name}'`);
  }

  /** Opens (parses, no kernel involvement yet) an ELF object. The image is copied, so the caller
   * may reuse its buffer. */
  static openMem(elf: Buffer, name: string, o: OpenOptions = {}): BpfObject {
    const op = `bpf_object__open_mem(${name})`;
    if (elf.length === 0) throw invalidArgument(op, 'the ELF image is empty');
    const image = Buffer.alloc(elf.length);
    elf.copy(image);
    const logLevel = o.kernelLogLevel ?? 0;
    const logBuf = Buffer.alloc(o.kernelLogSize ?? 4 << 20);
    const ptr = capture((messages) => {
      const p = ffi().libbpf.bpf_object__open_mem(image, image.length, {
        sz: OPTS_SIZE.open,
        object_name: name,
        relaxed_maps: o.relaxedMaps ?? false,
        kernel_log_buf: logBuf,
        kernel_log_size: logBuf.length,
        kernel_log_level: logLevel,
      });
      const errno = ffi().errno();
      return checkPtr(p, op, errno, { messages });
    });
    return new BpfObject(ptr, name, image, logBuf, logLevel);
  }

  get loaded(): boolean {
    return this.#loaded;
  }

  get closed(): boolean {
    return this.lifetime.closed;
  }

  /** With kernelLogLevel ≥ 1: the verifier's log of the last program loaded. */
  get verifierLog(): string {
    return this.#verifierLog;
  }

  #open(op: string): ObjectPtr {
    this.lifetime.assertOpen(op);
    return this.#ptr!;
  }

  /** Creates the maps and sends every autoloaded program to the verifier. A failure carries the
   * verifier log and libbpf's warnings; libbpf unloads what it had loaded, and cannot retry. */
  load(): void {
    const op = `bpf_object__load(${this.name})`;
    const ptr = this.#open(op);
    if (this.#loadTried) throw new HandleStateError(op, this.#loaded ? 'already loaded' : 'a failed load cannot be retried', EINVAL);
    this.#loadTried = true;
    try {
      capture((messages) => {
        const r = ffi().libbpf.bpf_object__load(ptr);
        if (r < 0) throw new LibbpfError(op, -r, { messages, verifierLog: cString(this.#logBuf!) });
      });
      this.#loaded = true;
      if (this.#logLevel > 0) this.#verifierLog = cString(this.#logBuf!);
    } finally {
      this.#elf = null;
      this.#logBuf = null;
    }
  }

  #wrapProgram(p: ProgramPtr): BpfProgram {
    let w = this.#programs.get(p);
    if (!w) { w = new BpfProgram(p, this); this.#programs.set(p, w); }
    return w;
  }

  #wrapMap(m: MapPtr): BpfMap {
    let w = this.#maps.get(m);
    if (!w) { w = new BpfMap({ ptr: m, owner: this }); this.#maps.set(m, w); }
    return w;
  }

  programs(): BpfProgram[] {
    const obj = this.#open('bpf_object__next_program');
    const L = ffi().libbpf;
    const out: BpfProgram[] = [];
    for (let p = L.bpf_object__next_program(obj, null); p; p = L.bpf_object__next_program(obj, p)) out.push(this.#wrapProgram(p));
    return out;
  }

  maps(): BpfMap[] {
    const obj = this.#open('bpf_object__next_map');
    const L = ffi().libbpf;
    const out: BpfMap[] = [];
    for (let m = L.bpf_object__next_map(obj, null); m; m = L.bpf_object__next_map(obj, m)) out.push(this.#wrapMap(m));
    return out;
  }

  findProgram(name: string): BpfProgram | undefined {
    const p = ffi().libbpf.bpf_object__find_program_by_name(this.#open('bpf_object__find_program_by_name'), name);
    return p ? this.#wrapProgram(p) : undefined;
  }

  /** Internal maps answer to '.rodata', '.data', '.bss' as well as to their full names. */
  findMap(name: string): BpfMap | undefined {
    const m = ffi().libbpf.bpf_object__find_map_by_name(this.#open('bpf_object__find_map_by_name'), name);
    return m ? this.#wrapMap(m) : undefined;
  }

  program(name: string): BpfProgram {
    const p = this.findProgram(name);
    if (!p) throw new LibbpfError(`bpf_object__find_program_by_name(${this.name}, ${name})`, ENOENT, { reason: `no program named '${name}'` });
    return p;
  }

  map(name: string): BpfMap {
    const m = this.findMap(name);
    if (!m) throw new LibbpfError(`bpf_object__find_map_by_name(${this.name}, ${name})`, ENOENT, { reason: `no map named '${name}'` });
    return m;
  }

  /** Detaches every link, closes ring buffers on its maps, then frees programs and maps in the
   * kernel. Safe to call more than once. */
  close(): void {
    const ptr = this.#ptr;
    if (ptr === null) return;
    this.#ptr = null;
    try {
      this.lifetime.end();
    } finally {
      ffi().libbpf.bpf_object__close(ptr);
      this.#elf = null;
      this.#logBuf = null;
    }
  }
}
