// A reader for the little of ELF64 (little-endian, as LLVM's BPF backend writes it) that the
// teaching view needs: sections by name, the symbol table, and relocations against a section.

export interface Section {
  index: number;
  name: string;
  type: number;
  offset: number;
  size: number;
  link: number;
  info: number;
  entsize: number;
  data: Buffer;
}

export interface ElfSymbol {
  name: string;
  value: number;
  size: number;
  section: number;
  /** STT_FUNC 2, STT_OBJECT 1, STT_SECTION 3, … */
  type: number;
}

export interface Relocation {
  /** Byte offset inside the section the relocations apply to. */
  offset: number;
  symbol: ElfSymbol;
  type: number;
}

const SHT_SYMTAB = 2;
const SHT_REL = 9;

function cstr(buf: Buffer, off: number): string {
  const end = buf.indexOf(0, off);
  return buf.toString('latin1', off, end < 0 ? buf.length : end);
}

export class Elf {
  readonly sections: Section[] = [];
  readonly symbols: ElfSymbol[] = [];

  constructor(readonly image: Buffer) {
    if (image.length < 64 || image.readUInt32BE(0) !== 0x7f454c46) throw new Error('not an ELF object');
    if (image[4] !== 2 || image[5] !== 1) throw new Error('only 64-bit little-endian ELF is supported');
    const shoff = Number(image.readBigUInt64LE(0x28));
    const shentsize = image.readUInt16LE(0x3a);
    const shnum = image.readUInt16LE(0x3c);
    const shstrndx = image.readUInt16LE(0x3e);
    const raw = [];
    for (let i = 0; i < shnum; i++) {
      const o = shoff + i * shentsize;
      raw.push({
        nameOff: image.readUInt32LE(o),
        type: image.readUInt32LE(o + 4),
        offset: Number(image.readBigUInt64LE(o + 0x18)),
        size: Number(image.readBigUInt64LE(o + 0x20)),
        link: image.readUInt32LE(o + 0x28),
        info: image.readUInt32LE(o + 0x2c),
        entsize: Number(image.readBigUInt64LE(o + 0x38)),
      });
    }
    const names = raw[shstrndx];
    for (const [index, r] of raw.entries()) {
      const data = r.type === 8 /* NOBITS */ ? Buffer.alloc(0) : image.subarray(r.offset, r.offset + r.size);
      this.sections.push({ index, name: cstr(image, names.offset + r.nameOff), type: r.type, offset: r.offset, size: r.size, link: r.link, info: r.info, entsize: r.entsize, data });
    }
    const symtab = this.sections.find((s) => s.type === SHT_SYMTAB);
    if (symtab) {
      const strtab = this.sections[symtab.link].data;
      for (let o = 0; o + 24 <= symtab.data.length; o += 24) {
        const d = symtab.data;
        this.symbols.push({
          name: cstr(strtab, d.readUInt32LE(o)),
          type: d[o + 4] & 0xf,
          section: d.readUInt16LE(o + 6),
          value: Number(d.readBigUInt64LE(o + 8)),
          size: Number(d.readBigUInt64LE(o + 16)),
        });
      }
    }
  }

  section(name: string): Section | undefined {
    return this.sections.find((s) => s.name === name);
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

  /** Function symbols (the BPF programs), with the section that holds their code. */
  programs(): { name: string; section: Section; offset: number; size: number }[] {
    return this.symbols
      .filter((s) => s.type === 2 /* STT_FUNC */ && s.section > 0 && s.section < this.sections.length)
      .map((s) => ({ name: s.name, section: this.sections[s.section], offset: s.value, size: s.size }));
  }
}
