// The BPF instructions of each program in the ELF object, interleaved with the script line and
// column that produced them (from .BTF.ext line info), so a learner sees which part of the
// one-liner became which instructions.

import type { Palette } from './colour';
import { disassemble, formatInsn } from './disasm';
import { lineInfo, type LineInfo } from './btf-ext';
import { ElfFile } from '../../common/kernel/elf';

export interface ProgramListing {
  name: string;
  section: string;
  insnCount: number;
  text: string;
}

/** Line `n` (1-based) of the script, from column `col` on, shortened to fit one listing line. */
function snippet(lines: string[], n: number, col: number): string {
  const line = lines[n - 1];
  if (line === undefined) return '';
  // Column 0 means "this line" (the program's prologue): show the line from its start.
  const from = col > 0 ? line.slice(col - 1) : line.trimStart();
  const s = from.trimEnd();
  return s.length > 60 ? `${s.slice(0, 57)}...` : s;
}

/** One instruction with the script position its line info record gives it (most have none: a record covers a run; line 0: no script line). */
export interface InsnRow {
  index: number;
  text: string;
  line?: number;
  col?: number;
}

export interface DecodedProgram {
  name: string;
  section: string;
  insnCount: number;
  insns: InsnRow[];
}

/** Each program of the object, disassembled, its instructions carrying their line info records. */
export function decodePrograms(elfImage: Buffer): DecodedProgram[] {
  const elf = ElfFile.fromBuffer(elfImage);
  const info = lineInfo(elf);
  const out: DecodedProgram[] = [];
  for (const prog of elf.programs()) {
    const code = prog.section.data.subarray(prog.offset, prog.offset + prog.size);
    const relocs = new Map<number, string>();
    for (const r of elf.relocations(prog.section.index)) {
      if (r.offset >= prog.offset && r.offset < prog.offset + prog.size && r.symbol) relocs.set((r.offset - prog.offset) / 8, r.symbol.name);
    }
    const records = new Map<number, LineInfo>();
    for (const li of info.get(prog.section.name) ?? []) {
      if (li.insnOff >= prog.offset && li.insnOff < prog.offset + prog.size) records.set((li.insnOff - prog.offset) / 8, li);
    }
    const insns = disassemble(code, (i) => relocs.get(i)).map((insn): InsnRow => {
      const li = records.get(insn.index);
      // Line 0: code that came from no line of the script (a probe of an imported file).
      return li ? { index: insn.index, text: formatInsn(insn), line: li.line, col: li.col } : { index: insn.index, text: formatInsn(insn) };
    });
    out.push({ name: prog.name, section: prog.section.name, insnCount: code.length / 8, insns });
  }
  return out;
}

export function listPrograms(elfImage: Buffer, source: string, p: Palette): ProgramListing[] {
  const lines = source.split('\n');
  return decodePrograms(elfImage).map((prog) => {
    const text: string[] = [];
    let last = '';
    for (const insn of prog.insns) {
      if (insn.line) {
        const where = `${insn.line}:${insn.col}`;
        if (where !== last) {
          text.push(p.source(`; ${where.padEnd(6)} ${snippet(lines, insn.line, insn.col ?? 0)}`));
          last = where;
        }
      }
      text.push(insn.text);
    }
    return { name: prog.name, section: prog.section, insnCount: prog.insnCount, text: text.join('\n') + '\n' };
  });
}
