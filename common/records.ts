// Records (bpftrace 0.25+): `(color = "green", size = 2)`, a tuple whose elements have names.
// A record is a TupleType with `names`, so it is laid out, stored, copied and decoded as a tuple;
// this module holds what differs: reaching an element by name, when two records are the same
// type (the same names, in any order: the first assignment's order is kept and later ones are
// stored by name), and how a record prints:
//   text and map keys  { .color = green, .size = 2 }
//   json               {"color": "green", "size": 2}

import type { TupleType, Type, Value } from './types';

/** A tuple type with names: a record. */
export type RecordType = TupleType & { names: string[] };

export function isRecord(t: Type): t is RecordType {
  return t.kind === 'tuple' && t.names !== undefined;
}

/** The index of element `name`, or -1. */
export function fieldIndex(t: RecordType, name: string): number {
  return t.names.indexOf(name);
}

/**
 * For each element of `to`, the index of the element of `from` that goes there: the same index
 * for tuples, the element of the same name for records.
 */
export function elementOrder(to: TupleType, from: TupleType): number[] {
  return to.elems.map((_, i) => (to.names && from.names ? from.names.indexOf(to.names[i]) : i));
}

/** Whether two tuple types name their elements alike: both unnamed, or both the same set of names. */
export function sameNames(a: TupleType, b: TupleType): boolean {
  if (!a.names || !b.names) return !a.names && !b.names;
  return a.names.length === b.names.length && a.names.every((n) => b.names!.includes(n));
}

/** `{ .a = 1, .b = x }`: each element as `each` prints it. */
export function recordText(t: RecordType, v: Value, each: (t: Type, v: Value) => string): string {
  const parts = Array.isArray(v) ? v : [v];
  return `{ ${t.names.map((n, i) => `.${n} = ${each(t.elems[i], parts[i])}`).join(', ')} }`;
}

/** `{"a": 1, "b": "x"}`: each element as `each` writes it. */
export function recordJson(t: RecordType, v: Value, each: (t: Type, v: Value) => string): string {
  const parts = Array.isArray(v) ? v : [v];
  return `{${t.names.map((n, i) => `${JSON.stringify(n)}: ${each(t.elems[i], parts[i])}`).join(', ')}}`;
}
