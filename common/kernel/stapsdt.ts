// USDT probes: the SystemTap SDT notes (.note.stapsdt, note type 3, owner "stapsdt") that
// <sys/sdt.h> leaves in a binary, and their argument specs ("-4@%edi 8@-16(%rbp) 4@$5").

import { ElfFile, SHT_NOTE } from './elf';

export interface UsdtNote {
  provider: string;
  name: string;
  /** File offset of the probe's instruction: where the uprobe goes. */
  offset: number;
  /** File offset of the semaphore (the kernel's uprobe ref_ctr_offset), 0 if none. */
  semaphoreOffset: number;
  /** Virtual address of the semaphore, 0 if none. */
  semaphoreAddr: bigint;
  /** The argument spec string as written by sdt.h. */
  args: string;
}

const NT_STAPSDT = 3;

export function usdtNotes(elf: ElfFile): UsdtNote[] {
  const sec = elf.sections.find((s) => s.name === '.note.stapsdt' && s.type === SHT_NOTE);
  if (!sec) return [];
  // A prelinked binary moves the probes; .stapsdt.base records where they were compiled for.
  const base = elf.section('.stapsdt.base');
  const d = elf.data;
  const out: UsdtNote[] = [];
  const align4 = (n: number) => (n + 3) & ~3;
  let o = sec.offset;
  const end = sec.offset + sec.size;
  while (o + 12 <= end) {
    const namesz = d.readUInt32LE(o);
    const descsz = d.readUInt32LE(o + 4);
    const type = d.readUInt32LE(o + 8);
    const nameAt = o + 12;
    const descAt = nameAt + align4(namesz);
    o = descAt + align4(descsz);
    if (type !== NT_STAPSDT || d.toString('latin1', nameAt, nameAt + namesz - 1) !== 'stapsdt' || descsz < 24) continue;
    let pc = d.readBigUInt64LE(descAt);
    const noteBase = d.readBigUInt64LE(descAt + 8);
    const sem = d.readBigUInt64LE(descAt + 16);
    if (base && noteBase) pc += base.addr - noteBase;
    const provider = elf.cstring(descAt + 24);
    const nameOff = descAt + 24 + Buffer.byteLength(provider, 'latin1') + 1;
    const name = elf.cstring(nameOff);
    const args = elf.cstring(nameOff + Buffer.byteLength(name, 'latin1') + 1);
    const offset = elf.fileOffset(pc);
    if (offset === null) continue;
    out.push({ provider, name, offset, semaphoreAddr: sem, semaphoreOffset: sem ? (elf.fileOffset(sem) ?? 0) : 0, args });
  }
  return out;
}

/** Where one USDT argument lives, relative to the probed instruction's registers. */
export type UsdtArg =
  | { kind: 'const'; value: bigint; size: number; signed: boolean }
  | { kind: 'reg'; reg: string; size: number; signed: boolean }
  | { kind: 'mem'; reg: string; disp: number; size: number; signed: boolean; index?: { reg: string; scale: number } };

/** Parses one operand spec such as "-4@-20(%rbp)"; null for forms this reader does not handle. */
export function parseUsdtArg(spec: string): UsdtArg | null {
  let m = /^(-?)(1|2|4|8)@(.*)$/.exec(spec);
  let signed = false;
  let size = 8;
  let operand = spec;
  if (m) {
    signed = m[1] === '-';
    size = Number(m[2]);
    operand = m[3];
  }
  if ((m = /^\$(-?(?:0x[0-9a-fA-F]+|\d+))$/.exec(operand))) {
    const neg = m[1].startsWith('-');
    const v = BigInt(neg ? m[1].slice(1) : m[1]);
    return { kind: 'const', value: neg ? -v : v, size, signed };
  }
  if ((m = /^%(\w+)$/.exec(operand))) return { kind: 'reg', reg: m[1], size, signed };
  // DISP(%base) and DISP(%base,%index,SCALE), an array element: base + index * scale + disp.
  if ((m = /^(-?(?:0x[0-9a-fA-F]+|\d+))?\(%(\w+)(?:,%(\w+)(?:,(1|2|4|8))?)?\)$/.exec(operand))) {
    const disp = m[1] ? Number(m[1].startsWith('-') ? -Number(m[1].slice(1)) : Number(m[1])) : 0;
    return { kind: 'mem', reg: m[2], disp, size, signed, ...(m[3] ? { index: { reg: m[3], scale: Number(m[4] ?? 1) } } : {}) };
  }
  return null;
}

export function splitUsdtArgs(args: string): string[] {
  return args.trim() ? args.trim().split(/\s+/) : [];
}
