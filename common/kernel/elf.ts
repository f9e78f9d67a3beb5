// A minimal reader of 64-bit little-endian ELF files: section headers, program headers, string
// tables, the symbol table in index order and relocations, enough for uprobes, notes,
// symbolisation and the teaching view of our own BPF objects. Files are read whole, once, and cached
// by path and mtime, because uprobe expansion, -l listing and symbolisation all ask about the same
// binaries; an in-memory image (a compiled BPF object) is read with fromBuffer.

import { host } from './host';

export interface Section {
  index: number;
  name: string;
  type: number;
  flags: bigint;
  addr: bigint;
  offset: number;
  size: number;
  link: number;
  info: number;
  entsize: number;
  /** The section's bytes (empty for SHT_NOBITS). */
  data: Buffer;
}

/** A symbol-table entry as stored, in table order (relocations name symbols by index). */
export interface TableSymbol {
  name: string;
  value: bigint;
  size: number;
  section: number;
  /** STT_FUNC 2, STT_OBJECT 1, STT_SECTION 3, … */
  type: number;
}

export interface Relocation {
  /** Byte offset inside the section the relocations apply to. */
  offset: number;
  symbol: TableSymbol;
  type: number;
}

export interface Segment {
  type: number;
  flags: number;
  offset: number;
  vaddr: bigint;
  filesz: number;
  memsz: number;
}

export const SHT_SYMTAB = 2;
export const SHT_NOTE = 7;
export const SHT_NOBITS = 8;
export const SHT_REL = 9;
export const SHT_DYNSYM = 11;
export const STT_FUNC = 2;
export const PT_LOAD = 1;
export const ET_EXEC = 2;
export const ET_DYN = 3;

export class ElfFormatError extends Error {}

export class ElfFile {
  readonly type: number;
  readonly sections: Section[];
  readonly segments: Segment[];

  private constructor(
    readonly path: string,
    readonly data: Buffer,
  ) {
    const d = data;
    if (d.length < 64 || d.readUInt32BE(0) !== 0x7f454c46) throw new ElfFormatError(`${path} is not an ELF file`);
    if (d[4] !== 2 || d[5] !== 1) throw new ElfFormatError(`${path} is not a 64-bit little-endian ELF file`);
    this.type = d.readUInt16LE(16);
    const phoff = Number(d.readBigUInt64LE(32));
    const shoff = Number(d.readBigUInt64LE(40));
    const phentsize = d.readUInt16LE(54);
    const phnum = d.readUInt16LE(56);
    const shentsize = d.readUInt16LE(58);
    const shnum = d.readUInt16LE(60);
    const shstrndx = d.readUInt16LE(62);
    this.segments = [];
    for (let i = 0; i < phnum; i++) {
      const o = phoff + i * phentsize;
      if (o + 56 > d.length) break;
      this.segments.push({
        type: d.readUInt32LE(o),
        flags: d.readUInt32LE(o + 4),
        offset: Number(d.readBigUInt64LE(o + 8)),
        vaddr: d.readBigUInt64LE(o + 16),
        filesz: Number(d.readBigUInt64LE(o + 32)),
        memsz: Number(d.readBigUInt64LE(o + 40)),
      });
    }
    const raw: (Omit<Section, 'name' | 'index' | 'data'> & { nameOff: number })[] = [];
    for (let i = 0; i < shnum; i++) {
      const o = shoff + i * shentsize;
      if (o + 64 > d.length) break;
      raw.push({
        nameOff: d.readUInt32LE(o),
        type: d.readUInt32LE(o + 4),
        flags: d.readBigUInt64LE(o + 8),
        addr: d.readBigUInt64LE(o + 16),
        offset: Number(d.readBigUInt64LE(o + 24)),
        size: Number(d.readBigUInt64LE(o + 32)),
        link: d.readUInt32LE(o + 40),
        info: d.readUInt32LE(o + 44),
        entsize: Number(d.readBigUInt64LE(o + 56)),
      });
    }
    const shstr = raw[shstrndx];
    this.sections = raw.map(({ nameOff, ...s }, index) => ({
      ...s,
      index,
      name: shstr ? this.cstring(shstr.offset + nameOff) : '',
      data: s.type === SHT_NOBITS ? Buffer.alloc(0) : d.subarray(s.offset, s.offset + s.size),
    }));
  }

  /** Parses an image already in memory (a compiled object); `name` only labels errors. */
  static fromBuffer(image: Buffer, name = 'the ELF image'): ElfFile {
    return new ElfFile(name, image);
  }

  #symtab: TableSymbol[] | undefined;

  /** .symtab's entries in table order, index 0 (the null symbol) included. */
  get symbols(): TableSymbol[] {
    if (this.#symtab) return this.#symtab;
    const symtab = this.sections.find((s) => s.type === SHT_SYMTAB);
    return (this.#symtab = symtab ? this.symbolTable(symtab) : []);
  }

  /** The entries of one symbol table (SHT_SYMTAB or SHT_DYNSYM) in table order, index 0 included;
   * empty when its entries are not the 64-bit layout. */
  symbolTable(table: Section): TableSymbol[] {
    const strtab = this.sections[table.link]?.data;
    if (!strtab || table.entsize < 24) return [];
    const d = table.data;
    const out: TableSymbol[] = [];
    for (let o = 0; o + 24 <= d.length; o += table.entsize) {
      const end = strtab.indexOf(0, d.readUInt32LE(o));
      out.push({
        name: strtab.toString('latin1', d.readUInt32LE(o), end < 0 ? strtab.length : end),
        type: d[o + 4] & 0xf,
        section: d.readUInt16LE(o + 6),
        value: d.readBigUInt64LE(o + 8),
        size: Number(d.readBigUInt64LE(o + 16)),
      });
    }
    return out;
  }

  /** Relocations that apply to section `index` (from its SHT_REL companion). */
  relocations(index: number): Relocation[] {
    const rel = this.sections.find((s) => s.type === SHT_REL && s.info === index);
    if (!rel) return [];
    const out: Relocation[] = [];
    for (let o = 0; o + 16 <= rel.data.length; o += 16) {
      const info = rel.data.readBigUInt64LE(o + 8);
      out.push({ offset: Number(rel.data.readBigUInt64LE(o)), symbol: this.symbols[Number(info >> 32n)], type: Number(info & 0xffffffffn) });
    }
    return out;
  }

  /** Function symbols (a BPF object's programs), with the section that holds their code. */
  programs(): { name: string; section: Section; offset: number; size: number }[] {
    return this.symbols
      .filter((s) => s.type === STT_FUNC && s.section > 0 && s.section < this.sections.length)
      .map((s) => ({ name: s.name, section: this.sections[s.section], offset: Number(s.value), size: s.size }));
  }

  /** The NUL-terminated string at a file offset. */
  cstring(offset: number): string {
    const end = this.data.indexOf(0, offset);
    return this.data.toString('latin1', offset, end < 0 ? this.data.length : end);
  }

  section(name: string): Section | undefined {
    return this.sections.find((s) => s.name === name);
  }

  /** The file offset of a virtual address, through the PT_LOAD segment that maps it. */
  fileOffset(vaddr: bigint): number | null {
    for (const s of this.segments) {
      if (s.type === PT_LOAD && vaddr >= s.vaddr && vaddr < s.vaddr + BigInt(s.filesz)) return Number(vaddr - s.vaddr) + s.offset;
    }
    return null;
  }

  /** The virtual address a file offset is mapped at (the inverse of fileOffset). */
  vaddrOf(offset: number): bigint | null {
    for (const s of this.segments) {
      if (s.type === PT_LOAD && offset >= s.offset && offset < s.offset + s.filesz) return s.vaddr + BigInt(offset - s.offset);
    }
    return null;
  }

  private static cache = new Map<string, { mtimeMs: number; size: number; elf: ElfFile }>();

  /** Reads and parses `path`, or returns the cached parse if the file has not changed. */
  static open(path: string): ElfFile {
    const st = host().stat(path);
    // A device or fifo (uprobe:/dev/zero:main) would be read without end.
    if (!st.isFile) throw new ElfFormatError(`${path} is not a regular file`);
    const hit = ElfFile.cache.get(path);
    if (hit && hit.mtimeMs === st.mtimeMs && hit.size === st.size) return hit.elf;
    const elf = new ElfFile(path, host().readFile(path));
    ElfFile.cache.set(path, { mtimeMs: st.mtimeMs, size: st.size, elf });
    return elf;
  }
}
