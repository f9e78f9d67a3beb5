// Decodes the line info of .BTF.ext: for each program section, which source file, line and column
// produced the instruction at each byte offset. LLVM writes it from our DIBuilder locations; the
// kernel verifier reads the same records to print "; source @ file:line" in its log.

import { Btf, BTF_MAGIC } from '../../common/kernel/btf';
import type { ElfFile } from '../../common/kernel/elf';

export interface LineInfo {
  /** Byte offset of the instruction inside its ELF section. */
  insnOff: number;
  file: string;
  /** The source line's text (empty for programs too large to carry it: codegen/program.ts). */
  text: string;
  line: number;
  col: number;
}

/** The string table of .BTF, which .BTF.ext's name offsets point into (UTF-8: source lines). */
export function btfStrings(elf: ElfFile): (off: number) => string {
  const data = elf.section('.BTF')?.data;
  let btf: Btf;
  try {
    if (!data) return () => '';
    btf = new Btf(data);
  } catch {
    return () => '';
  }
  return (off) => {
    try {
      return Buffer.from(btf.str(off), 'latin1').toString('utf8');
    } catch {
      return '';
    }
  };
}

/** Line info records grouped by ELF section name, each list sorted by instruction offset. */
export function lineInfo(elf: ElfFile): Map<string, LineInfo[]> {
  const out = new Map<string, LineInfo[]>();
  const ext = elf.section('.BTF.ext')?.data;
  if (!ext || ext.length < 24 || ext.readUInt16LE(0) !== BTF_MAGIC) return out;
  const str = btfStrings(elf);
  const hdrLen = ext.readUInt32LE(4);
  const start = hdrLen + ext.readUInt32LE(16);
  const end = start + ext.readUInt32LE(20);
  if (end <= start) return out;
  const recSize = ext.readUInt32LE(start);
  let o = start + 4;
  while (o + 8 <= end) {
    const secName = str(ext.readUInt32LE(o));
    const n = ext.readUInt32LE(o + 4);
    o += 8;
    const recs: LineInfo[] = [];
    for (let i = 0; i < n; i++, o += recSize) {
      const lineCol = ext.readUInt32LE(o + 12);
      recs.push({
        insnOff: ext.readUInt32LE(o),
        file: str(ext.readUInt32LE(o + 4)),
        text: str(ext.readUInt32LE(o + 8)),
        line: lineCol >>> 10,
        col: lineCol & 0x3ff,
      });
    }
    recs.sort((a, b) => a.insnOff - b.insnOff);
    out.set(secName, recs);
  }
  return out;
}
