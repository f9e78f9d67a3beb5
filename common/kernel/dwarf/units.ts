// .debug_info as a tree of entries (DIEs), unit by unit, for DWARF 2 to 5: unit headers, the
// abbreviation tables they name, and every attribute form, so any unit can be walked even when
// only a few of its attributes matter. Strings are resolved through .debug_str, .debug_line_str
// and (DW_FORM_strx*) .debug_str_offsets.

import { inflateSync } from 'node:zlib';
import type { ElfFile } from '../elf';
import { AT, FORM } from './constants';
import { Cursor, DwarfFormatError } from './cursor';

/** One attribute: its form (how it was encoded) and value. References are absolute .debug_info offsets. */
export interface Attr {
  form: number;
  /** Numbers for constants, flags, addresses and references; text for strings; bytes for blocks. */
  value: number | string | Buffer;
}

/** A DIE's attributes, kept as the values in its abbreviation's order (no map per entry: a large
 * binary has millions of entries). */
export class Attrs {
  constructor(
    readonly abbrev: Abbrev,
    readonly values: Attr['value'][],
  ) {}

  get(at: number): Attr | undefined {
    const i = this.abbrev.index.get(at);
    return i === undefined ? undefined : { form: this.abbrev.attrs[i].form, value: this.values[i] };
  }

  has(at: number): boolean {
    return this.abbrev.index.has(at);
  }
}

export interface Die {
  /** Offset in .debug_info: what references point at. */
  offset: number;
  tag: number;
  attrs: Attrs;
  children: Die[];
  parent: Die | null;
  unit: Unit;
}

export interface Unit {
  offset: number;
  version: number;
  offsetSize: 4 | 8;
  addrSize: number;
  /** DW_AT_str_offsets_base of the unit's root, for DW_FORM_strx*. */
  strOffsetsBase: number;
  root: Die | null;
}

interface AbbrevAttr {
  at: number;
  form: number;
  implicit?: number;
}

interface Abbrev {
  tag: number;
  children: boolean;
  attrs: AbbrevAttr[];
  /** Attribute → its position in `attrs`. */
  index: Map<number, number>;
}

const SHF_COMPRESSED = 0x800n;
const ELFCOMPRESS_ZLIB = 1;

/** A section's bytes, inflated when the linker compressed it (SHF_COMPRESSED, zlib); null when absent. */
export function sectionData(elf: ElfFile, name: string): Buffer | null {
  const s = elf.section(name);
  if (!s || s.type === 8 /* SHT_NOBITS */) return null;
  const raw = elf.data.subarray(s.offset, s.offset + s.size);
  if (!(s.flags & SHF_COMPRESSED)) return raw;
  if (raw.length < 24 || raw.readUInt32LE(0) !== ELFCOMPRESS_ZLIB) throw new DwarfFormatError(`${name} is compressed in a way this reader does not know (only zlib)`);
  return inflateSync(raw.subarray(24));
}

/** String forms whose value is an index into .debug_str_offsets, resolved once the unit's base is known. */
const STRX = new Set<number>([FORM.strx, FORM.strx1, FORM.strx2, FORM.strx3, FORM.strx4, FORM.GNU_str_index]);

export class DebugInfo {
  readonly units: Unit[] = [];
  readonly #abbrev: Buffer;
  readonly #str: Buffer | null;
  readonly #lineStr: Buffer | null;
  readonly #strOffsets: Buffer | null;
  readonly #abbrevCache = new Map<number, Map<number, Abbrev>>();

  constructor(elf: ElfFile) {
    const info = sectionData(elf, '.debug_info');
    const abbrev = sectionData(elf, '.debug_abbrev');
    if (!info || !abbrev) throw new DwarfFormatError(`${elf.path} has no DWARF debug info`);
    this.#abbrev = abbrev;
    this.#str = sectionData(elf, '.debug_str');
    this.#lineStr = sectionData(elf, '.debug_line_str');
    this.#strOffsets = sectionData(elf, '.debug_str_offsets');
    const c = new Cursor(info);
    while (c.pos < info.length) {
      const start = c.pos;
      let len = c.u32();
      let offsetSize: 4 | 8 = 4;
      if (len === 0xffffffff) {
        len = c.u64();
        offsetSize = 8;
      }
      const end = c.pos + len;
      if (end > info.length) throw new DwarfFormatError(`.debug_info unit at ${start} runs past the section`);
      this.units.push(this.#unit(c, start, end, offsetSize));
      c.pos = end;
    }
  }

  #unit(c: Cursor, start: number, end: number, offsetSize: 4 | 8): Unit {
    const version = c.u16();
    let abbrevOff: number;
    let addrSize: number;
    if (version >= 5) {
      const type = c.u8();
      addrSize = c.u8();
      abbrevOff = c.offset(offsetSize);
      // skeleton/split units carry a dwo id; type units a signature and the type's offset.
      if (type === 4 || type === 5) c.skip(8);
      else if (type === 2 || type === 6) c.skip(8 + offsetSize);
    } else if (version >= 2) {
      abbrevOff = c.offset(offsetSize);
      addrSize = c.u8();
    } else {
      throw new DwarfFormatError(`DWARF version ${version} is not supported`);
    }
    const unit: Unit = { offset: start, version, offsetSize, addrSize, strOffsetsBase: offsetSize === 8 ? 16 : 8, root: null };
    const abbrevs = this.#abbrevs(abbrevOff);
    const stack: Die[] = [];
    while (c.pos < end) {
      const offset = c.pos;
      const code = c.uleb();
      if (code === 0) {
        stack.pop();
        continue;
      }
      const ab = abbrevs.get(code);
      if (!ab) throw new DwarfFormatError(`.debug_info entry at ${offset} uses abbreviation ${code}, which its table lacks`);
      const parent = stack[stack.length - 1] ?? null;
      const values: Attr['value'][] = new Array(ab.attrs.length);
      for (let i = 0; i < ab.attrs.length; i++) values[i] = this.#attr(c, unit, ab.attrs[i]);
      const die: Die = { offset, tag: ab.tag, attrs: new Attrs(ab, values), children: [], parent, unit };
      if (parent) parent.children.push(die);
      else if (!unit.root) {
        unit.root = die;
        const base = die.attrs.get(AT.str_offsets_base);
        if (base && typeof base.value === 'number') unit.strOffsetsBase = base.value;
      }
      if (ab.children) stack.push(die);
      else if (!parent) break;
    }
    // The root's own strx strings were read before its str_offsets_base; the rest after it.
    const root = unit.root;
    root?.attrs.abbrev.attrs.forEach((a, i) => {
      const v = root.attrs.values[i];
      if (STRX.has(a.form) && typeof v === 'number') root.attrs.values[i] = this.#strAt(this.#str, this.#strOffset(unit, v));
    });
    return unit;
  }

  #strOffset(unit: Unit, index: number): number {
    const so = this.#strOffsets;
    const at = unit.strOffsetsBase + index * unit.offsetSize;
    if (!so || at + unit.offsetSize > so.length) return -1;
    return unit.offsetSize === 8 ? Number(so.readBigUInt64LE(at)) : so.readUInt32LE(at);
  }

  #strAt(sec: Buffer | null, off: number): string {
    if (!sec || off < 0 || off >= sec.length) return '';
    const end = sec.indexOf(0, off);
    return sec.toString('latin1', off, end < 0 ? sec.length : end);
  }

  #abbrevs(off: number): Map<number, Abbrev> {
    const hit = this.#abbrevCache.get(off);
    if (hit) return hit;
    const m = new Map<number, Abbrev>();
    const c = new Cursor(this.#abbrev, off);
    for (;;) {
      const code = c.uleb();
      if (code === 0) break;
      const tag = c.uleb();
      const children = c.u8() !== 0;
      const attrs: AbbrevAttr[] = [];
      for (;;) {
        const at = c.uleb();
        const form = c.uleb();
        if (at === 0 && form === 0) break;
        attrs.push(form === FORM.implicit_const ? { at, form, implicit: c.sleb() } : { at, form });
      }
      m.set(code, { tag, children, attrs, index: new Map(attrs.map((a, i) => [a.at, i])) });
    }
    this.#abbrevCache.set(off, m);
    return m;
  }

  /** One attribute's value. Blocks other than a member's location are skipped (location
   * expressions of variables are most of them, and nothing here reads them). */
  #attr(c: Cursor, u: Unit, spec: AbbrevAttr, form = spec.form): Attr['value'] {
    const block = (n: number) => (spec.at === AT.data_member_location ? this.#block(c, n) : (c.skip(n), 0));
    switch (form) {
      case FORM.addr: return (u.addrSize === 8 ? c.u64() : u.addrSize === 4 ? c.u32() : c.u16());
      case FORM.block1: return block(c.u8());
      case FORM.block2: return block(c.u16());
      case FORM.block4: return block(c.u32());
      case FORM.block:
      case FORM.exprloc: return block(c.uleb());
      case FORM.data1:
      case FORM.ref1:
      case FORM.flag:
      case FORM.strx1:
      case FORM.addrx1: return this.#ref(form, c.u8(), u);
      case FORM.data2:
      case FORM.ref2:
      case FORM.strx2:
      case FORM.addrx2: return this.#ref(form, c.u16(), u);
      case FORM.strx3:
      case FORM.addrx3: return this.#ref(form, c.u24(), u);
      case FORM.data4:
      case FORM.ref4:
      case FORM.ref_sup4:
      case FORM.strx4:
      case FORM.addrx4: return this.#ref(form, c.u32(), u);
      case FORM.data8:
      case FORM.ref8:
      case FORM.ref_sig8:
      case FORM.ref_sup8: return this.#ref(form, c.u64(), u);
      case FORM.data16: return block(16);
      case FORM.sdata: return (c.sleb());
      case FORM.udata:
      case FORM.ref_udata:
      case FORM.strx:
      case FORM.addrx:
      case FORM.loclistx:
      case FORM.rnglistx:
      case FORM.GNU_addr_index:
      case FORM.GNU_str_index: return this.#ref(form, c.uleb(), u);
      case FORM.string: return (c.cstring());
      case FORM.strp: return (this.#strAt(this.#str, c.offset(u.offsetSize)));
      case FORM.line_strp: return (this.#strAt(this.#lineStr, c.offset(u.offsetSize)));
      case FORM.ref_addr: return (u.version <= 2 ? (u.addrSize === 8 ? c.u64() : c.u32()) : c.offset(u.offsetSize));
      case FORM.sec_offset:
      case FORM.strp_sup:
      case FORM.GNU_ref_alt:
      case FORM.GNU_strp_alt: return (c.offset(u.offsetSize));
      case FORM.flag_present: return (1);
      case FORM.implicit_const: return (spec.implicit ?? 0);
      case FORM.indirect: return this.#attr(c, u, spec, c.uleb());
      default:
        throw new DwarfFormatError(`unknown DWARF attribute form 0x${form.toString(16)}`);
    }
  }

  /** Unit-relative references become .debug_info offsets; strx indexes resolve once the unit's base is known. */
  #ref(form: number, n: number, u: Unit): number | string {
    if (form === FORM.ref1 || form === FORM.ref2 || form === FORM.ref4 || form === FORM.ref8 || form === FORM.ref_udata) return u.offset + n;
    if (STRX.has(form) && u.root) return this.#strAt(this.#str, this.#strOffset(u, n));
    return n;
  }

  #block(c: Cursor, n: number): Buffer {
    const b = c.buf.subarray(c.pos, c.pos + n);
    c.skip(n);
    return b;
  }
}
