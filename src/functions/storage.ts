// How a value is stored in maps and event records: integers widen to 64 bits (as bpftrace does),
// so keys and values have one layout whatever expression produced them.

import { intType, type Type } from '../types';

export function storageType(t: Type): Type {
  if (t.kind === 'int') return intType(64, t.signed);
  if (t.kind === 'bool') return intType(64, false);
  if (t.kind === 'tuple') return { kind: 'tuple', elems: t.elems.map(storageType) };
  return t;
}
