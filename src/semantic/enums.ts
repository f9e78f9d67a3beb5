// Enum-typed integers (bpftrace 0.23+ under --compat 0.26): an enumerator (`ONE` of a script's
// `enum Foo { ONE = 1 }` or a kernel enum), a cast `(enum Foo)x` and a tracepoint field declared
// `enum X` keep their enum, so printf's %s, print() and map printing show the enumerator's name
// (a value no enumerator has prints as its number). Arithmetic gives a plain integer again. JSON
// output keeps numbers, as bpftrace does for scripts that parse it. bpftrace 0.17 has none of
// this: its enumerators are plain 64-bit integers, so under 0.17 no type carries an enum.

import type { Dialect } from '../../common/dialect';
import type { EnumType } from '../../common/kernel/btf-types';
import { s64, type EnumNames, type IntType } from '../../common/types';
import { kernelBtf } from './kernel-types';

function names(e: EnumType): EnumNames {
  const byValue: Record<string, string> = {};
  // Two enumerators of one value: the first names it.
  for (const v of e.values) byValue[v.value.toString()] ??= v.name;
  return { name: e.name, names: byValue };
}

/** What an enumerator is: a 64-bit integer, of its enum where the dialect knows enums. */
export function enumeratorType(e: EnumType, dialect: Dialect): IntType {
  return dialect === '0.17' ? s64 : { ...s64, enum: names(e) };
}

/** `(enum NAME)x`: the enum's 64-bit integer type, or undefined when NAME is not an enum. */
export function enumCastType(typeName: string, dialect: Dialect): IntType | undefined {
  const m = /^enum\s+(\w+)$/.exec(typeName);
  if (!m || dialect === '0.17') return undefined;
  const e = kernelBtf()?.find(m[1], 'enum', 'enum64') as EnumType | null | undefined;
  return e ? { ...s64, signed: e.signed, enum: names(e) } : undefined;
}

/** A tracepoint field declared `enum NAME` keeps its enum (its storage and signedness unchanged). */
export function withFieldEnum(t: IntType, ctype: string, dialect: Dialect): IntType {
  const m = /^enum\s+(\w+)$/.exec(ctype.trim());
  if (!m || dialect === '0.17') return t;
  const e = kernelBtf()?.find(m[1], 'enum', 'enum64') as EnumType | null | undefined;
  return e ? { ...t, enum: names(e) } : t;
}
