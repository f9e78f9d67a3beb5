// A disassembler for eBPF instructions, printing bpftool's "xlated" style:
//   0: (b7) r1 = 0
//   5: (85) call bpf_get_current_comm#16
//   8: (15) if r0 == 0x0 goto pc+1
// Encoding (kernel UAPI): 8 bytes per instruction — opcode, dst:4|src:4, signed 16-bit offset,
// signed 32-bit immediate; the 64-bit immediate load takes two slots.

import { helperName } from '../../common/kernel/bpf-helpers';

export interface Insn {
  /** Index in 8-byte slots from the start of the program. */
  index: number;
  /** The raw bytes (8, or 16 for a 64-bit immediate load). */
  bytes: Buffer;
  text: string;
}

const ALU_OPS: Record<number, string> = {
  0x00: '+=', 0x10: '-=', 0x20: '*=', 0x30: '/=', 0x40: '|=', 0x50: '&=', 0x60: '<<=', 0x70: '>>=',
  0x90: '%=', 0xa0: '^=', 0xb0: '=', 0xc0: 's>>=',
};
const JMP_OPS: Record<number, string> = {
  0x10: '==', 0x20: '>', 0x30: '>=', 0x40: '&', 0x50: '!=', 0x60: 's>', 0x70: 's>=',
  0xa0: '<', 0xb0: '<=', 0xc0: 's<', 0xd0: 's<=',
};
const SIZES: Record<number, string> = { 0x00: 'u32', 0x08: 'u16', 0x10: 'u8', 0x18: 'u64' };
const ATOMIC_OPS: Record<number, string> = { 0x00: '+=', 0x40: '|=', 0x50: '&=', 0xa0: '^=' };

const hex = (n: number | bigint): string => (n < 0 ? `-0x${(-BigInt(n)).toString(16)}` : `0x${n.toString(16)}`);
const signedOff = (off: number): string => (off < 0 ? `-${-off}` : `+${off}`);

/** Names the 64-bit immediate of an instruction when a relocation points it at a symbol (a map). */
export type SymbolAt = (index: number) => string | undefined;

function decodeOne(code: Buffer, i: number, symbolAt: SymbolAt): { text: string; slots: number } {
  const o = i * 8;
  const op = code[o];
  const dst = code[o + 1] & 0xf;
  const src = code[o + 1] >> 4;
  const off = code.readInt16LE(o + 2);
  const imm = code.readInt32LE(o + 4);
  const cls = op & 7;
  const x = (op & 0x08) !== 0;
  const r = (n: number, wide: boolean) => `${wide ? 'r' : 'w'}${n}`;

  switch (cls) {
    case 0: { // LD: only the 64-bit immediate load survives in eBPF
      if (op === 0x18 && o + 16 <= code.length) {
        const hi = code.readUInt32LE(o + 12);
        const value = (BigInt(hi) << 32n) | BigInt(code.readUInt32LE(o + 4));
        const sym = symbolAt(i);
        if (sym) return { text: `r${dst} = map[${sym}]`, slots: 2 };
        if (src === 1) return { text: `r${dst} = map[fd:${imm}]`, slots: 2 };
        if (src === 2) return { text: `r${dst} = map[fd:${imm}][0]+${hi}`, slots: 2 };
        return { text: `r${dst} = ${hex(value)}`, slots: 2 };
      }
      return { text: `(bad ld 0x${op.toString(16)})`, slots: 1 };
    }
    case 1: { // LDX
      const mode = op & 0xe0;
      const size = SIZES[op & 0x18];
      const sign = mode === 0x80 ? 's' : '';
      return { text: `r${dst} = *(${sign}${size} *)(r${src} ${signedOff(off)})`, slots: 1 };
    }
    case 2: // ST
      return { text: `*(${SIZES[op & 0x18]} *)(r${dst} ${signedOff(off)}) = ${imm}`, slots: 1 };
    case 3: { // STX, and atomics
      const size = SIZES[op & 0x18];
      if ((op & 0xe0) === 0xc0) {
        const fetch = imm & 1 ? 'fetch ' : '';
        const base = imm & ~1;
        if (imm === 0xe1) return { text: `r${src} = atomic${size === 'u64' ? '64' : ''}_xchg((${size} *)(r${dst} ${signedOff(off)}), r${src})`, slots: 1 };
        if (imm === 0xf1) return { text: `r0 = atomic${size === 'u64' ? '64' : ''}_cmpxchg((${size} *)(r${dst} ${signedOff(off)}), r0, r${src})`, slots: 1 };
        return { text: `lock ${fetch}*(${size} *)(r${dst} ${signedOff(off)}) ${ATOMIC_OPS[base] ?? `atomic#${imm}`} r${src}`, slots: 1 };
      }
      return { text: `*(${size} *)(r${dst} ${signedOff(off)}) = r${src}`, slots: 1 };
    }
    case 4:
    case 7: { // ALU (32-bit) and ALU64
      const wide = cls === 7;
      const aop = op & 0xf0;
      if (aop === 0x80) return { text: `${r(dst, wide)} = -${r(dst, wide)}`, slots: 1 };
      if (aop === 0xd0) {
        const kind = wide ? 'bswap' : x ? 'be' : 'le';
        return { text: `r${dst} = ${kind}${imm} r${dst}`, slots: 1 };
      }
      const sym = ALU_OPS[aop];
      if (!sym) return { text: `(bad alu 0x${op.toString(16)})`, slots: 1 };
      const rhs = x ? r(src, wide) : String(imm);
      return { text: `${r(dst, wide)} ${sym} ${rhs}`, slots: 1 };
    }
    case 5:
    case 6: { // JMP and JMP32
      const jop = op & 0xf0;
      if (cls === 5 && jop === 0x80) {
        if (src === 1) return { text: `call pc${signedOff(imm)}`, slots: 1 };
        if (src === 2) return { text: `call kfunc#${imm}`, slots: 1 };
        return { text: `call ${helperName(imm)}#${imm}`, slots: 1 };
      }
      if (cls === 5 && jop === 0x90) return { text: 'exit', slots: 1 };
      if (jop === 0x00) return { text: `goto pc${signedOff(cls === 6 ? imm : off)}`, slots: 1 };
      const cmp = JMP_OPS[jop];
      if (!cmp) return { text: `(bad jmp 0x${op.toString(16)})`, slots: 1 };
      const wide = cls === 5;
      const rhs = x ? r(src, wide) : hex(imm);
      return { text: `if ${r(dst, wide)} ${cmp} ${rhs} goto pc${signedOff(off)}`, slots: 1 };
    }
  }
  return { text: `(unknown 0x${op.toString(16)})`, slots: 1 };
}

export function disassemble(code: Buffer, symbolAt: SymbolAt = () => undefined): Insn[] {
  const out: Insn[] = [];
  const n = Math.floor(code.length / 8);
  for (let i = 0; i < n; ) {
    const { text, slots } = decodeOne(code, i, symbolAt);
    out.push({ index: i, bytes: code.subarray(i * 8, (i + slots) * 8), text });
    i += slots;
  }
  return out;
}

/** One instruction as bpftool prints it: index, opcode in hex, text. */
export function formatInsn(insn: Insn, width = 4): string {
  return `${String(insn.index).padStart(width)}: (${insn.bytes[0].toString(16).padStart(2, '0')}) ${insn.text}`;
}
