// How a value is stored in maps and event records: integers widen to 64 bits (as bpftrace does),
// so keys and values have one layout whatever expression produced them.

import { intType, type Type } from '../../common/types';
import { recordValueType } from '../semantic/blob-layout';

export function storageType(t: Type): Type {
  // Pointers keep their element and address space, so `@p = (int32 *)x; @p[1]` still knows both;
  // bpftrace 0.17 prints them as signed 64-bit map values.
  if (t.kind === 'int' && (t.elem || t.pointee !== undefined)) return { ...t, bits: 64, signed: true };
  if (t.kind === 'int' && t.space) return { ...t, bits: 64, signed: false };
  if (t.kind === 'int') return t.enum ? { ...intType(64, t.signed), enum: t.enum } : intType(64, t.signed);
  if (t.kind === 'tuple') return { ...t, elems: t.elems.map(storageType) };
  // A struct by value is copied whole when it is printed or stored (small ones only).
  if (t.kind === 'record') return recordValueType(t) ?? t;
  return t;
}
