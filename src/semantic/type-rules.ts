// How types meet: a map's key and value types fixed by its uses, the same shape of two values
// (string capacities aside), and widening to the larger string.

import type { Expr, MapRef } from '../ast';
import { formatOf } from '../functions';
import { storageType } from '../functions/storage';
import { typeEquals, type StringType, type Type } from '../../common/types';
import { typeName } from '../type-name';
import { elementOrder, sameNames } from '../../common/records';
import type { MapInfo } from './checked-program';
import { bpftraceTypeName } from './pointers';
import type { ProbeChecker } from './probe-checker';

/**
 * Records or checks a map's key and value types at a use that stores into it: the first complete
 * use decides them; later ones must have the same shape, and strings widen the slot.
 */
export function declareMap(c: ProbeChecker, map: MapRef, value: { span: Expr['span'] }, keyType: Type | null, valueType: Type, agg: MapInfo['aggregate']): void {
  const name = `@${map.name}`;
  const prev = c.a.maps.get(name);
  if (!prev) {
    const bpfName = map.name === '' ? 'AT_' : `AT_${map.name}`;
    c.a.maps.set(name, { name, bpfName, keyType, valueType, aggregate: agg, span: map.span });
    return;
  }
  // The first pass can meet a map before the map it reads from is known ($c = @later): what it
  // recorded then holds `none`, and the first complete use decides the map's types instead.
  if (holdsNone(prev.keyType) || holdsNone(prev.valueType)) {
    if (!holdsNone(keyType) && !holdsNone(valueType)) Object.assign(prev, { keyType, valueType, aggregate: agg });
    return;
  }
  if (!c.final) return;
  const kt = (t: Type | null) => (t ? typeName(t) : 'no key');
  if ((prev.keyType === null) !== (keyType === null) || (prev.keyType && keyType && !sameShape(prev.keyType, keyType))) {
    c.error(`map ${name} used with key ${kt(keyType)}, but it was first used with key ${kt(prev.keyType)}`, map);
  } else if (!sameShape(prev.valueType, valueType)) {
    c.error(`map ${name} assigned ${typeName(valueType)}, but it was first assigned ${typeName(prev.valueType)}`, value);
  } else {
    widenStrings(prev, keyType, valueType);
  }
}

/** The key type of `@m[k1, k2 …]`: one key's storage type, or a tuple of several. */
export function mapKeyType(c: ProbeChecker, keys: Expr[]): Type {
  const ts = keys.map((k) => storageType(c.typeOf(k)));
  for (const [i, t] of ts.entries()) {
    if (t.kind !== 'int' && t.kind !== 'bool' && t.kind !== 'string' && t.kind !== 'tuple' && !c.failed.has(keys[i])) c.error(`${typeName(t)} cannot be used as a map key`, keys[i]);
  }
  return ts.length === 1 ? ts[0] : { kind: 'tuple', elems: ts };
}

/** Whether a type is, or contains, the type of an expression that could not be typed yet. */
export function holdsNone(t: Type | null): boolean {
  return t !== null && (t.kind === 'none' || (t.kind === 'tuple' && t.elems.some(holdsNone)));
}

const symbolic = (t: StringType): boolean => formatOf(t)?.namesType === true;

/** Same kind of value, ignoring string capacity (a longer string widens the slot). */
export function sameShape(a: Type, b: Type): boolean {
  // Stacks and symbols are strings only once printed: their recorded ids and addresses don't mix.
  if (a.kind === 'string' && b.kind === 'string') return symbolic(a) || symbolic(b) ? typeEquals(a, b) : true;
  if (a.kind === 'tuple' && b.kind === 'tuple') {
    if (a.elems.length !== b.elems.length || !sameNames(a, b)) return false;
    const order = elementOrder(a, b);
    return a.elems.every((x, i) => sameShape(x, b.elems[order[i]]));
  }
  if (a.kind === 'int' && b.kind === 'int') return true;
  // As in bpftrace, sum((int8)x) and sum((uint64)y) feed one map (the first use decides how it
  // prints); lhist's bounds must still agree.
  if (a.kind === 'agg' && b.kind === 'agg') return typeEquals({ ...a, signed: false }, { ...b, signed: false });
  return typeEquals(a, b);
}

/** The type that holds both values: the longer string, a signed integer if either is, tuples element by element. */
export function widen(a: Type, b: Type): Type {
  if (a.kind === 'string' && b.kind === 'string') return b.size > a.size ? b : a;
  if (a.kind === 'tuple' && b.kind === 'tuple') {
    const order = elementOrder(a, b);
    return { ...a, elems: a.elems.map((x, i) => widen(x, b.elems[order[i]])) };
  }
  if (a.kind === 'int' && b.kind === 'int') return a.signed || b.signed ? { ...a, signed: true } : a;
  return a;
}

/** An element of a tuple value: integers keep their width (`((int8)1, (int32)2)` is 8 bytes). */
export function tupleElemType(t: Type): Type {
  if (t.kind === 'int' || t.kind === 'tuple') return t;
  return storageType(t);
}

/** bpftrace 0.17's words for assigning a pointer where an integer was, or the reverse. */
export function mismatch(t: Type, prev: Type, holder: 'variable' | 'map'): string {
  return `trying to assign value of type '${bpftraceTypeName(t)}' when ${holder} already contains a value of type '${bpftraceTypeName(prev)}'`;
}

function widenStrings(m: MapInfo, key: Type | null, value: Type): void {
  if (m.keyType && key) m.keyType = widen(m.keyType, key);
  m.valueType = widen(m.valueType, value);
}
