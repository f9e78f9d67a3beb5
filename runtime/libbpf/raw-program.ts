// A program loaded from raw instructions with libbpf's low-level bpf_prog_load, outside any ELF
// object: for feature probes (does this kernel take a kprobe program?) and for tests that need a
// kernel-side producer without the compiler.

import { ffi, OPTS_SIZE, type ProgLoadOpts } from './ffi';
import { LibbpfError, checkRet, invalidArgument } from './errors';
import { Lifetime } from './lifetime';
import { testRunFd, type TestRunOptions, type TestRunResult } from './test-run';

export interface RawProgramOptions {
  /** ProgType */
  type: number;
  /** struct bpf_insn[] as bytes, 8 per instruction */
  insns: Buffer;
  name?: string;
  license?: string;
  expectedAttachType?: number;
  /** bytes kept for the verifier log of a failed load */
  logSize?: number;
}

function cString(buf: Buffer): string {
  const end = buf.indexOf(0);
  return buf.toString('utf8', 0, end < 0 ? buf.length : end);
}

export class RawProgram {
  #fd: number;
  readonly #life: Lifetime;
  readonly name: string;

  private constructor(fd: number, name: string) {
    this.#fd = fd;
    this.name = name;
    this.#life = new Lifetime(`program '${name}'`);
  }

  static load(o: RawProgramOptions): RawProgram {
    const name = o.name ?? 'raw';
    const op = `bpf_prog_load(${name})`;
    if (o.insns.length === 0 || o.insns.length % 8 !== 0) throw invalidArgument(op, `${o.insns.length} bytes is not a whole number of instructions`);
    // log_level 0 with a buffer: libbpf retries a failed load with log_level 1 to fill it.
    const log = Buffer.alloc(o.logSize ?? 1 << 20);
    const opts: ProgLoadOpts = { sz: OPTS_SIZE.progLoad, log_buf: log, log_size: log.length, log_level: 0 };
    if (o.expectedAttachType !== undefined) opts.expected_attach_type = o.expectedAttachType;
    const fd = ffi().libbpf.bpf_prog_load(o.type, name, o.license ?? 'GPL', o.insns, o.insns.length / 8, opts);
    if (fd < 0) throw new LibbpfError(op, -fd, { verifierLog: cString(log) });
    return new RawProgram(fd, name);
  }

  get closed(): boolean {
    return this.#life.closed;
  }

  get fd(): number {
    this.#life.assertOpen(`bpf_prog_fd(${this.name})`);
    return this.#fd;
  }

  testRun(o: TestRunOptions = {}): TestRunResult {
    return testRunFd(this.fd, this.name, o);
  }

  /** bpf_link_create for a kprobe_multi program (a feature probe); the link fd is closed at once.
   * Throws LibbpfError with the kernel's errno when the kernel refuses. */
  probeKprobeMultiLink(attachType: number, addrs: bigint[]): void {
    const buf = Buffer.alloc(8 * addrs.length);
    addrs.forEach((a, i) => buf.writeBigUInt64LE(a, 8 * i));
    const fd = ffi().libbpf.bpf_link_create(this.fd, 0, attachType, { sz: OPTS_SIZE.linkCreate, km_addrs: buf, km_cnt: addrs.length });
    if (fd < 0) throw new LibbpfError(`bpf_link_create(${this.name}, kprobe_multi)`, -fd);
    ffi().libc.close(fd);
  }

  close(): void {
    if (!this.#life.end()) return;
    const fd = this.#fd;
    this.#fd = -1;
    checkRet(ffi().libc.close(fd) < 0 ? -ffi().errno() : 0, `close(program ${this.name})`);
  }
}
