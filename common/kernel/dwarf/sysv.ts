// Where the x86-64 System V calling convention puts each parameter at a function's first
// instruction: integer-class values (integers, enums, pointers) in rdi, rsi, rdx, rcx, r8, r9 in
// turn; float and double in xmm registers (taking no integer register); small structs split into
// eightbytes classed the same way; what does not fit, and anything over 16 bytes, on the stack
// above the return address.

import { AT, ATE, TAG } from './constants';
import type { Dwarf } from './index';
import type { Die } from './units';

export type ParamPlace =
  /** An integer-class scalar in integer argument register N (0 = rdi). */
  | { kind: 'reg'; reg: number; size: number; signed: boolean }
  /** A struct or union passed by value in registers: integer registers `regs` hold its eightbytes
   * in order, unless part of it is floating-point (`sse`: in an xmm register). */
  | { kind: 'regs'; size: number; regs: number[]; sse: boolean }
  /** On the stack, at this offset from the stack pointer at entry (8 is the first slot). */
  | { kind: 'stack'; offset: number; size: number; signed: boolean; scalar: boolean }
  /** In an xmm register, or a type this reader cannot place. */
  | { kind: 'float' }
  | { kind: 'unknown' };

const INT_REGS = 6;
const SSE_REGS = 8;

type Class = 'int' | 'sse' | 'memory';

interface Shape {
  size: number;
  align: number;
  /** A scalar: how an integer-class value reads. */
  scalar?: { signed: boolean; float: boolean };
  /** An aggregate's scalars at their byte offsets. */
  leaves?: { offset: number; float: boolean; size: number }[];
}

/** Through typedefs and qualifiers to the type that decides the layout. */
function strip(dw: Dwarf, t: Die | null): Die | null {
  for (let i = 0; t && i < 32; i++) {
    if (t.tag !== TAG.typedef && t.tag !== TAG.const_type && t.tag !== TAG.volatile_type && t.tag !== TAG.restrict_type && t.tag !== TAG.atomic_type) return t;
    t = dw.ref(t, AT.type);
  }
  return t;
}

function shape(dw: Dwarf, t0: Die | null, depth = 0): Shape | null {
  const t = strip(dw, t0);
  if (!t || depth > 16) return null;
  const size = dw.num(t, AT.byte_size) ?? 0;
  switch (t.tag) {
    case TAG.base_type: {
      const enc = dw.num(t, AT.encoding) ?? ATE.signed;
      const float = enc === ATE.float || enc === 0x03; /* complex float */
      return { size, align: Math.min(size, 16) || 1, scalar: { signed: enc === ATE.signed || enc === ATE.signed_char, float } };
    }
    case TAG.enumeration_type: {
      const under = strip(dw, dw.ref(t, AT.type));
      const signed = under ? [ATE.signed, ATE.signed_char].includes((dw.num(under, AT.encoding) ?? 0) as 5 | 6) : false;
      return { size: size || 4, align: size || 4, scalar: { signed, float: false } };
    }
    case TAG.pointer_type:
    case TAG.reference_type:
    case TAG.rvalue_reference_type:
      return { size: 8, align: 8, scalar: { signed: false, float: false } };
    case TAG.structure_type:
    case TAG.class_type:
    case TAG.union_type: {
      const leaves: NonNullable<Shape['leaves']> = [];
      let align = 1;
      for (const m of t.children) {
        if (m.tag !== TAG.member) continue;
        const s = shape(dw, dw.ref(m, AT.type), depth + 1);
        if (!s) return null;
        align = Math.max(align, s.align);
        const at = dw.num(m, AT.data_member_location) ?? 0;
        for (const l of s.leaves ?? [{ offset: 0, float: s.scalar?.float ?? false, size: s.size }]) leaves.push({ ...l, offset: l.offset + at });
      }
      return { size, align, leaves };
    }
    case TAG.array_type: {
      const e = shape(dw, dw.ref(t, AT.type), depth + 1);
      if (!e) return null;
      const n = e.size ? Math.floor((dw.num(t, AT.byte_size) ?? 0) / e.size) : 0;
      const count = n || t.children.filter((c) => c.tag === TAG.subrange_type).reduce((a, s) => a * ((dw.num(s, AT.count) ?? (dw.num(s, AT.upper_bound) ?? -1) + 1) || 0), 1);
      const leaves: NonNullable<Shape['leaves']> = [];
      for (let i = 0; i < count; i++) for (const l of e.leaves ?? [{ offset: 0, float: e.scalar?.float ?? false, size: e.size }]) leaves.push({ ...l, offset: l.offset + i * e.size });
      return { size: e.size * count, align: e.align, leaves };
    }
    default:
      return null;
  }
}

/** The eightbyte classes of a value, or memory. */
function classify(s: Shape): Class[] {
  if (s.scalar) {
    if (s.scalar.float) return s.size > 8 ? ['memory'] : ['sse'];
    return s.size > 8 ? ['int', 'int'] : ['int'];
  }
  if (s.size > 16 || s.size === 0) return ['memory'];
  const n = Math.ceil(s.size / 8);
  const cls: Class[] = Array(n).fill('sse');
  for (const l of s.leaves ?? []) {
    // A leaf that is not aligned to its size makes the struct packed: memory.
    if (l.size && l.offset % Math.min(l.size, 8)) return ['memory'];
    if (l.size > 8) return ['memory'];
    if (!l.float) cls[Math.floor(l.offset / 8)] = 'int';
  }
  return cls;
}

/** Where each parameter of a function is at its entry, in order. */
export function placeParams(dw: Dwarf, types: (Die | null)[]): ParamPlace[] {
  let ints = 0;
  let sses = 0;
  /** Bytes of the stack-argument area used so far; it starts 16-byte aligned just above the return address. */
  let area = 0;
  return types.map((t): ParamPlace => {
    const s = shape(dw, t);
    if (!s) return { kind: 'unknown' };
    const cls = classify(s);
    const needInt = cls.filter((c) => c === 'int').length;
    const needSse = cls.filter((c) => c === 'sse').length;
    if (!cls.includes('memory') && ints + needInt <= INT_REGS && sses + needSse <= SSE_REGS) {
      const first = ints;
      ints += needInt;
      sses += needSse;
      if (s.scalar) return s.scalar.float ? { kind: 'float' } : { kind: 'reg', reg: first, size: s.size, signed: s.scalar.signed };
      return { kind: 'regs', size: s.size, regs: Array.from({ length: needInt }, (_, i) => first + i), sse: needSse > 0 };
    }
    const align = Math.max(8, s.align);
    area = Math.ceil(area / align) * align;
    const place: ParamPlace = { kind: 'stack', offset: 8 + area, size: s.size, signed: s.scalar?.signed ?? false, scalar: !!s.scalar && !s.scalar.float };
    area += Math.ceil(s.size / 8) * 8;
    return place;
  });
}
