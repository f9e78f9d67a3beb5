// Text rendering of single decoded values (map keys, map values, print(expr)) the way bpftrace 0.17
// prints them.
//
// Strings are byte strings: one JS char per byte (latin1), so widths and truncation count bytes as
// C does and arbitrary kernel bytes survive the round trip. Write output with
// Buffer.from(text, 'latin1').

import { formatOf } from '../../src/functions';
import { normalizeInt } from '../../common/format/ints';
import { enumeratorName, isTypedAddress, type Type, type Value } from '../../common/types';
import { isRecord, recordText } from '../../common/records';
import type { Dialect } from '../../common/dialect';
import { dialectStyle } from './dialects';

export { normalizeInt };

function asBigInt(v: Value): bigint {
  if (typeof v === 'bigint') return v;
  if (typeof v === 'boolean') return v ? 1n : 0n;
  throw new Error(`expected an integer value, got ${typeof v}`);
}

/** A value printed as a map value or by print(): integers honour their signedness. */
export function formatValue(t: Type, v: Value, dialect?: Dialect): string {
  if (dialect && dialectStyle(dialect).pointersInHex && isTypedAddress(t)) return `0x${BigInt.asUintN(64, asBigInt(v)).toString(16)}`;
  switch (t.kind) {
    case 'int': {
      const n = normalizeInt(asBigInt(v), t.bits, t.signed);
      return enumeratorName(t, n) ?? n.toString();
    }
    case 'bool':
      return v === true || v === 1n ? 'true' : 'false';
    case 'string': {
      const text = formatOf(t)?.text;
      if (text) return text(v, t, false);
      return typeof v === 'string' ? v : String(v);
    }
    case 'tuple':
      return isRecord(t) ? recordText(t, v, (e, x) => formatValue(e, x, dialect)) : formatTuple(t.elems, v, (e, x) => formatValue(e, x, dialect));
    default:
      return String(v);
  }
}

/**
 * A map key component. bpftrace 0.17 widens integer keys to 64 bits and prints them signed, so a
 * uint64 key of 2^64-1 prints as -1 while a uint32 key of 2^32-1 prints as 4294967295; pointers
 * print in hex. bpftrace 0.26 prints a key part as it prints the same value (its own signedness,
 * structs as `{ .m = 2 }`): see DialectStyle.keysAsValues.
 */
export function formatKeyPart(t: Type, v: Value, dialect?: Dialect): string {
  // Pointers (typed addresses: casts, curtask, BTF pointers) are keys in hex, as in bpftrace 0.17.
  if (isTypedAddress(t)) return `0x${BigInt.asUintN(64, asBigInt(v)).toString(16)}`;
  if (dialect && dialectStyle(dialect).keysAsValues) return formatValue(t, v, dialect);
  if (t.kind === 'int') return BigInt.asIntN(64, normalizeInt(asBigInt(v), t.bits, t.signed)).toString();
  if (t.kind === 'tuple') return isRecord(t) ? recordText(t, v, formatKeyPart) : formatTuple(t.elems, v, formatKeyPart);
  if (t.kind === 'string') {
    const text = formatOf(t)?.text;
    if (text) return text(v, t, true);
  }
  return formatValue(t, v);
}

function formatTuple(elems: Type[], v: Value, each: (t: Type, v: Value) => string): string {
  const parts = Array.isArray(v) ? v : [v];
  const out: string[] = [];
  for (let i = 0; i < elems.length; i++) out.push(each(elems[i], parts[i]));
  return `(${out.join(', ')})`;
}

/** The key component types of a map: a tuple key type means a multi-key map `@m[a, b]`. */
export function keyParts(keyType: Type | null): Type[] | null {
  if (keyType === null || keyType.kind === 'none') return null;
  return keyType.kind === 'tuple' && !isRecord(keyType) ? keyType.elems : [keyType];
}

/** `[1, abc]` for a keyed map, '' for a scalar one. */
export function formatKey(parts: Type[] | null, key: Value[] | null, dialect?: Dialect): string {
  if (parts === null || key === null) return '';
  if (parts.length === 1) return `[${formatKeyPart(parts[0], key[0], dialect)}]`;
  const out: string[] = [];
  for (let i = 0; i < parts.length; i++) out.push(formatKeyPart(parts[i], key[i], dialect));
  return `[${out.join(', ')}]`;
}

/**
 * Key order for maps whose values have no numeric order (strings, tuples): component by
 * component, integers as unsigned 64-bit (so negatives sort last) and strings bytewise, which is
 * the order bpftrace 0.17 prints them in.
 */
export function compareKeys(parts: Type[], a: Value[], b: Value[]): number {
  for (let i = 0; i < parts.length; i++) {
    const c = compareKeyPart(parts[i], a[i], b[i]);
    if (c !== 0) return c;
  }
  return 0;
}

function compareKeyPart(t: Type, a: Value, b: Value): number {
  if (t.kind === 'int' || t.kind === 'bool') {
    const x = BigInt.asUintN(64, asBigInt(a));
    const y = BigInt.asUintN(64, asBigInt(b));
    return x < y ? -1 : x > y ? 1 : 0;
  }
  if (t.kind === 'tuple') return compareKeys(t.elems, a as Value[], b as Value[]);
  const x = String(a);
  const y = String(b);
  return x < y ? -1 : x > y ? 1 : 0;
}
