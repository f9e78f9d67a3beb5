// Type rules of records (bpftrace 0.25+, common/records.ts): a literal's type, and `$r.name`.

import type { FieldAccess, RecordLit } from '../ast';
import { none, type TupleType, type Type } from '../../common/types';
import { typeName } from '../type-name';
import { didYouMean } from '../suggest';
import type { ProbeChecker } from './probe-checker';
import { tupleElemType } from './type-rules';

/** `(a = x, b = y)`: a tuple of the elements' types, with their names. */
export function recordLiteral(c: ProbeChecker, e: RecordLit): Type {
  const names: string[] = [];
  const elems: Type[] = [];
  let ok = true;
  for (const f of e.fields) {
    const t = tupleElemType(c.typeOf(f.value));
    if (!f.name) {
      c.error('every element of a record needs a name', f.value, 'write (name = value, …), or leave all names out for a tuple');
      ok = false;
    } else if (names.includes(f.name)) {
      c.error(`the record has two elements named '${f.name}'`, { span: f.nameSpan });
      ok = false;
    } else if (t.kind !== 'int' && t.kind !== 'bool' && t.kind !== 'string' && t.kind !== 'tuple') {
      if (!c.failed.has(f.value)) c.error(`${typeName(t)} cannot be part of a record`, f.value);
      ok = false;
    }
    names.push(f.name);
    elems.push(t);
  }
  return ok ? { kind: 'tuple', elems, names } : none;
}

/** `$r.name` of a record; a tuple's elements are reached by number (`$t.0`). */
export function recordField(c: ProbeChecker, e: FieldAccess, t: TupleType): Type {
  const i = t.names ? t.names.indexOf(e.field) : -1;
  if (!t.names) {
    c.error(`cannot access field '${e.field}' of ${typeName(t)}`, e, 'a tuple\'s elements are reached by number: $t.0, $t[1]');
    return none;
  }
  if (i < 0) {
    c.error(`the record has no element named '${e.field}'`, { span: e.fieldSpan }, didYouMean(e.field, t.names) ?? `its elements are: ${t.names.join(', ')}`);
    return none;
  }
  c.a.constants.set(e, i);
  return t.elems[i];
}
