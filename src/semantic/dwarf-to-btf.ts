// DWARF types turned into BTF, so a uprobe's parameters and the structs of the traced binary go
// through the same code as kernel types (`->`, `.`, casts, printing a struct). The types become a
// split BTF over vmlinux's whose names come first, as a script's own definitions do: in a uprobe,
// `struct file` means the binary's struct file, as in bpftrace 0.17. Only what is asked for is
// converted (with what it refers to), so a large binary costs no more than the types it uses.
// Qualifiers (const, volatile, restrict) change no layout and are dropped; function types become
// void, so a function pointer is a plain address.

import { Btf, type TypeId } from '../../common/kernel/btf';
import { BtfWriter } from './c-decls';
import { AT, ATE, FORM, OP_plus_uconst, TAG } from '../../common/kernel/dwarf/constants';
import { Cursor } from '../../common/kernel/dwarf/cursor';
import type { Dwarf } from '../../common/kernel/dwarf/index';
import type { Die } from '../../common/kernel/dwarf/units';

const RECORD_TAGS = new Set<number>([TAG.structure_type, TAG.class_type, TAG.union_type]);
const SKIPPED_TAGS = new Set<number>([TAG.const_type, TAG.volatile_type, TAG.restrict_type, TAG.atomic_type]);

export class DwarfBtf {
  readonly #w: BtfWriter;
  /** Converted entries, by binary and .debug_info offset. */
  readonly #ids = new Map<string, TypeId>();
  #indexInt: TypeId | undefined;
  #added = 0;

  constructor(readonly base: Btf | null) {
    this.#w = new BtfWriter(base ? base.endId : 1);
  }

  /** True once some type was converted. */
  get empty(): boolean {
    return this.#added === 0;
  }

  /** The BTF id of a DWARF type entry (0, void, for none), converting it on first use. */
  add(dw: Dwarf, die: Die | null, depth = 0): TypeId {
    if (!die || depth > 64) return 0;
    const key = `${dw.path}\0${die.offset}`;
    const known = this.#ids.get(key);
    if (known !== undefined) return known;
    this.#added++;
    const id = this.#convert(dw, die, key, depth);
    this.#ids.set(key, id);
    return id;
  }

  /** The split BTF holding every converted type, its names shadowing the base's. */
  build(): Btf {
    return new Btf(this.#w.blob(this.base), this.base, true);
  }

  #convert(dw: Dwarf, die: Die, key: string, depth: number): TypeId {
    const inner = () => this.add(dw, dw.ref(die, AT.type), depth + 1);
    const name = dw.name(die) ?? '';
    switch (die.tag) {
      case TAG.base_type: {
        const size = dw.num(die, AT.byte_size) ?? 0;
        const enc = dw.num(die, AT.encoding) ?? ATE.signed;
        if (enc === ATE.float || size > 16 || size === 0) return this.#w.float(name, size || 1);
        const signed = enc === ATE.signed || enc === ATE.signed_char;
        return this.#w.int(name, size, signed, (enc === ATE.signed_char || enc === ATE.unsigned_char) && /\bchar\b/.test(name));
      }
      case TAG.pointer_type:
      case TAG.reference_type:
      case TAG.rvalue_reference_type:
        return this.#w.ptr(inner());
      case TAG.typedef:
        return this.#w.typedef(name, inner());
      case TAG.enumeration_type:
        return this.#enum(dw, die, name);
      case TAG.array_type:
        return this.#array(dw, die, inner());
      default:
        if (SKIPPED_TAGS.has(die.tag)) return inner();
        if (RECORD_TAGS.has(die.tag)) return this.#record(dw, die, name, key, depth);
        // Function types, nullptr_t and anything unknown: no value to read.
        return 0;
    }
  }

  #record(dw: Dwarf, die: Die, name: string, key: string, depth: number): TypeId {
    const union = die.tag === TAG.union_type;
    if (die.attrs.has(AT.declaration)) {
      const full = name ? dw.findType(`${union ? 'union' : 'struct'} ${name}`) : null;
      if (full && !full.attrs.has(AT.declaration)) return this.add(dw, full, depth + 1);
      return this.#w.fwd(name, union);
    }
    // The id is taken first so members may point back at this record.
    const id = this.#w.reserve();
    this.#ids.set(key, id);
    const members: { name: string; type: TypeId; bitOffset: number; bitSize: number }[] = [];
    for (const m of die.children) {
      if (m.tag !== TAG.member) continue;
      const type = this.add(dw, dw.ref(m, AT.type), depth + 1);
      const byte = memberOffset(m);
      const bitSize = dw.num(m, AT.bit_size) ?? 0;
      let bitOffset = byte * 8;
      if (bitSize) {
        const dataBit = dw.num(m, AT.data_bit_offset);
        // DWARF 2/3 style: the bit offset counts from the most significant bit of the storage unit.
        const oldBit = dw.num(m, AT.bit_offset);
        const typeDie = dw.ref(m, AT.type);
        const unit = dw.num(m, AT.byte_size) ?? (typeDie ? dw.num(typeDie, AT.byte_size) : undefined) ?? 4;
        bitOffset = dataBit ?? (oldBit !== undefined ? byte * 8 + unit * 8 - oldBit - bitSize : bitOffset);
      }
      members.push({ name: dw.name(m) ?? '', type, bitOffset, bitSize });
    }
    this.#w.record(id, union, name, dw.num(die, AT.byte_size) ?? 0, members);
    return id;
  }

  #enum(dw: Dwarf, die: Die, name: string): TypeId {
    const size = dw.num(die, AT.byte_size) ?? 4;
    const under = dw.ref(die, AT.type);
    let signed = under ? [ATE.signed, ATE.signed_char].includes((dw.num(under, AT.encoding) ?? 0) as 5 | 6) : false;
    const values: [string, bigint][] = [];
    for (const e of die.children) {
      if (e.tag !== TAG.enumerator) continue;
      const a = e.attrs.get(AT.const_value);
      let v = typeof a?.value === 'number' ? BigInt(a.value) : 0n;
      const width = a ? FIXED_WIDTH[a.form] : undefined;
      if (width && signed) v = BigInt.asIntN(width * 8, v);
      if (v < 0n) signed = true;
      values.push([dw.name(e) ?? '', v]);
    }
    return this.#w.enumType(name, [1, 2, 4, 8].includes(size) ? size : 4, signed, values);
  }

  #array(dw: Dwarf, die: Die, elem: TypeId): TypeId {
    const dims = die.children
      .filter((c) => c.tag === TAG.subrange_type)
      .map((s) => {
        const count = dw.num(s, AT.count);
        const upper = dw.num(s, AT.upper_bound);
        return count ?? (upper !== undefined && upper >= 0 ? upper + 1 : 0);
      });
    if (!dims.length) dims.push(0);
    this.#indexInt ??= this.#w.int('__ARRAY_SIZE_TYPE__', 4, false, false);
    let id = elem;
    for (const n of dims.reverse()) id = this.#w.array(id, this.#indexInt, n);
    return id;
  }
}

const FIXED_WIDTH: Record<number, number> = { [FORM.data1]: 1, [FORM.data2]: 2, [FORM.data4]: 4, [FORM.data8]: 8 };

/** A member's byte offset: a constant, or (older producers) a DW_OP_plus_uconst expression. */
function memberOffset(m: Die): number {
  const v = m.attrs.get(AT.data_member_location)?.value;
  if (typeof v === 'number') return v;
  if (Buffer.isBuffer(v) && v[0] === OP_plus_uconst) return new Cursor(v, 1).uleb();
  return 0;
}
