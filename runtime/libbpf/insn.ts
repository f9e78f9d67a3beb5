// A few eBPF instruction encoders for RawProgram: enough for feature probes and test producers.
// The compiler proper emits ELF through LLVM and never uses these.

/** struct bpf_insn: u8 code, u8 dst:4|src:4, s16 off, s32 imm */
function insn(code: number, dst: number, src: number, off: number, imm: number): Buffer {
  const b = Buffer.alloc(8);
  b.writeUInt8(code, 0);
  b.writeUInt8((src << 4) | dst, 1);
  b.writeInt16LE(off, 2);
  b.writeInt32LE(imm, 4);
  return b;
}

const BPF_PSEUDO_MAP_FD = 1;

export const Insn = {
  /** dst = imm (64-bit, sign-extended) */
  movImm: (dst: number, imm: number) => insn(0xb7, dst, 0, 0, imm),
  /** dst = src */
  movReg: (dst: number, src: number) => insn(0xbf, dst, src, 0, 0),
  /** dst += imm */
  addImm: (dst: number, imm: number) => insn(0x07, dst, 0, 0, imm),
  /** dst += src */
  addReg: (dst: number, src: number) => insn(0x0f, dst, src, 0, 0),
  /** *(u64 *)(dst + off) = imm */
  stDw: (dst: number, off: number, imm: number) => insn(0x7a, dst, 0, off, imm),
  /** *(u64 *)(dst + off) = src */
  stxDw: (dst: number, off: number, src: number) => insn(0x7b, dst, src, off, 0),
  /** dst = *(u64 *)(src + off) */
  ldxDw: (dst: number, src: number, off: number) => insn(0x79, dst, src, off, 0),
  /** dst = the map of fd (two instruction slots) */
  ldMapFd: (dst: number, fd: number) => Buffer.concat([insn(0x18, dst, BPF_PSEUDO_MAP_FD, 0, fd), insn(0, 0, 0, 0, 0)]),
  /** goto +off */
  ja: (off: number) => insn(0x05, 0, 0, off, 0),
  /** if dst != imm goto +off */
  jneImm: (dst: number, imm: number, off: number) => insn(0x55, dst, 0, off, imm),
  /** if dst != src goto +off */
  jneReg: (dst: number, src: number, off: number) => insn(0x5d, dst, src, off, 0),
  call: (helper: number) => insn(0x85, 0, 0, 0, helper),
  exit: () => insn(0x95, 0, 0, 0, 0),
} as const;

export function assemble(...insns: Buffer[]): Buffer {
  return Buffer.concat(insns);
}
