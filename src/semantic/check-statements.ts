// Type checking, statement by statement. Each attach point's program is checked on its own (a
// tracepoint's `args` differs per attach point); maps are global and fix their key and value types
// at first assignment. Two rounds: the first learns every map's type, the second checks reads
// against them and reports.

import type { AssignMap, AssignVar, Block, For, Stmt } from '../ast';
import { DiagnosticBag } from '../../common/diagnostics';
import { aggregates } from '../functions';
import { storageType } from '../functions/storage';
import { isTypedAddress, s64, type AggType, type Type } from '../../common/types';
import { typeName } from '../type-name';
import type { AnalyzedProbe, Analysis } from './checked-program';
import { MAX_BLOB_BYTES, recordValueType } from './blob-layout';
import { ProbeChecker } from './probe-checker';
import { declareMap, holdsNone, mapKeyType, mismatch, sameShape, widen } from './type-rules';
import { shownName } from './scopes';

/** bpftrace's limits on unroll counts. */
const UNROLL_MAX = 100;

/**
 * The variables' types at the end of the first pass, for a bare `let $x;` read before its first
 * assignment (bpftrace 0.22+ reads it as 0 of the type that assignment gives).
 */
const firstPassVars = new WeakMap<AnalyzedProbe, Map<string, Type>>();

/** Types every expression, variable and map of every program; throws the errors collected so far. */
export function checkProbes(analysis: Analysis, diags: DiagnosticBag): void {
  for (const final of [false, true]) {
    if (final) {
      analysis.types.clear();
      analysis.events.length = 0;
      analysis.eventIds.clear();
      analysis.helperEvents.clear();
    }
    for (const ap of analysis.probes) {
      if (final) firstPassVars.set(ap, new Map(ap.variables));
      ap.variables.clear();
      checkProbe(new ProbeChecker(analysis, ap, final ? diags : new DiagnosticBag(), final));
    }
  }
  diags.throwIfErrors();
}

function checkProbe(c: ProbeChecker): void {
  const { predicate, body } = c.ap.probe;
  if (predicate) c.expectInt(predicate, 'predicate');
  block(c, body);
}

function block(c: ProbeChecker, b: Block): void {
  for (const s of b.stmts) stmt(c, s);
}

function stmt(c: ProbeChecker, s: Stmt): void {
  switch (s.kind) {
    case 'ExprStmt':
      c.statement = s.expr;
      c.typeOf(s.expr);
      c.statement = null;
      return;
    case 'AssignMap':
      return assignMap(c, s);
    case 'AssignVar':
      return assignVar(c, s);
    case 'If':
      c.expectInt(s.cond, 'condition');
      block(c, s.then);
      if (s.else) block(c, s.else);
      return;
    case 'While':
      c.expectInt(s.cond, 'condition');
      c.loops++;
      block(c, s.body);
      c.loops--;
      return;
    case 'Unroll': {
      // A numeric $N is an IntLit by now (positionals.ts).
      const n = s.count.kind === 'IntLit' ? s.count.value : null;
      if (n === null) c.error('unroll needs an integer literal count', s.count);
      // bpftrace's wording, which scripts and its tests match on.
      else if (n > BigInt(UNROLL_MAX)) c.error(`unroll maximum value is ${UNROLL_MAX}`, s.count, `got ${n}; unroll counts run from 1 to ${UNROLL_MAX}`);
      else if (n < 1n) c.error('unroll minimum value is 1', s.count, `got ${n}; unroll counts run from 1 to ${UNROLL_MAX}`);
      else c.a.constants.set(s.count, Number(n));
      block(c, s.body);
      return;
    }
    case 'Jump':
      if (s.jump !== 'return' && c.loops === 0) c.error(`${s.jump} is only valid inside a while loop`, s);
      if (s.value) c.error('a probe returns no value: return with a value belongs in a function (fn)', s.value, "write 'return;'");
      return;
    case 'For':
      return forMap(c, s);
    case 'Let': {
      // A bare `let $x;` (scopes.ts lowered the others): its type comes from an assignment, maybe a
      // later one, which the first pass has seen.
      const known = firstPassVars.get(c.ap)?.get(s.variable.name);
      if (known && !c.ap.variables.has(s.variable.name)) c.ap.variables.set(s.variable.name, known);
      return;
    }
    default:
      c.error(`${(s as Stmt).kind.toLowerCase()} statements are not supported yet`, s as Stmt);
      return;
  }
}

/**
 * `for ($kv : @m) { … }` (newer bpftrace): the body runs once per element, in a callback of
 * bpf_for_each_map_elem; `$kv.0` is the key, `$kv.1` the value (an aggregation's value summed
 * over the CPUs, as reading it elsewhere does). The probe's variables reach the callback through
 * pointers, as in a range loop, so the body reads and updates them.
 */
function forMap(c: ProbeChecker, s: For): void {
  if (s.iterable.kind === 'Range') return forRange(c, s, s.iterable);
  const m = c.a.maps.get(`@${s.iterable.name}`);
  if (!m) {
    if (c.final) c.error(`Undefined map: @${s.iterable.name}`, s.iterable);
    return;
  }
  const read = m.aggregate?.read;
  if (m.keyType === null || (m.aggregate && !read)) {
    const why = m.aggregate ? `its values are ${m.aggregate.name}() aggregations, not one number each` : 'it has no keys';
    c.error(`a for loop cannot iterate @${s.iterable.name}: ${why}`, s.iterable, 'for loops iterate maps with keys whose values are plain values or count, sum, min, max or avg aggregations');
    return;
  }
  const valueType = read ? read.type(m.valueType as AggType) : m.valueType;
  loopBody(c, s, { kind: 'tuple', elems: [m.keyType, valueType] });
}

/** The loop variable exists only in the body; the probe's own variables stay visible. */
function loopBody(c: ProbeChecker, s: For, t: Type): void {
  const name = s.variable.name;
  if (c.ap.variables.has(name)) {
    c.error(`the loop variable $${shownName(name)} is already a variable of the probe`, s.variable, 'give the loop variable a name of its own');
    return;
  }
  c.ap.variables.set(name, t);
  c.a.types.set(s.variable, t);
  c.loops++;
  block(c, s.body);
  c.loops--;
  c.a.forLoops.set(s, new Map(c.ap.variables));
  c.ap.variables.delete(name);
}

/**
 * `for ($i : a..b) { … }` (newer bpftrace): a and b are evaluated once, $i runs from a up to b-1.
 * The body is a bpf_loop callback that reaches the probe's variables through pointers, so it
 * reads and writes them like any other block; $i itself exists only inside the loop.
 */
function forRange(c: ProbeChecker, s: For, r: Extract<For['iterable'], { kind: 'Range' }>): void {
  for (const [e, which] of [[r.start, 'start'], [r.end, 'end']] as const) {
    const t = c.typeOf(e);
    if (t.kind !== 'int' && t.kind !== 'bool' && t.kind !== 'none') c.error(`a loop range needs an integer ${which} value, got ${typeName(t)}`, e, 'for ($i : 0..10) counts $i from 0 to 9; both ends are integer expressions');
  }
  loopBody(c, s, s64);
}

function assignMap(c: ProbeChecker, s: AssignMap): void {
  const keyType = s.map.keys.length === 0 ? null : mapKeyType(c, s.map.keys);
  const v = s.value;
  const agg = v.kind === 'Call' ? aggregates.get(v.name) : undefined;
  let valueType: Type;
  if (agg && v.kind === 'Call') {
    if (s.op) c.error(`${s.op}= cannot be used with ${agg.name}()`, s);
    valueType = agg.check(c, v);
    c.a.types.set(v, valueType);
  } else {
    c.watchHelper(s, 'map_update_elem', 1);
    valueType = storageType(c.typeOf(v));
    if (valueType.kind === 'args') {
      c.error('context cannot be assigned to a map', v, 'store one of its fields, @m = args->NAME');
      return;
    }
    if (valueType.kind === 'record') {
      c.error(`${typeName(valueType)} (${valueType.size} bytes) cannot be stored in a map`, v, `structs of at most ${MAX_BLOB_BYTES} bytes are copied; store one of its members instead`);
      return;
    }
    if (s.op && valueType.kind !== 'int') c.error(`${s.op}= needs an integer value`, s);
    if (valueType.kind === 'none') {
      if (!c.failed.has(v)) c.error('this expression has no value to store in a map', v);
      return;
    }
  }
  const prev = c.a.maps.get(`@${s.map.name}`);
  if (c.final && prev && !s.op && !agg && !holdsNone(prev.valueType) && isTypedAddress(prev.valueType) !== isTypedAddress(valueType)) {
    c.error(`Type mismatch for @${s.map.name}: ${mismatch(valueType, prev.valueType, 'map')}`, s.map, 'a map keeps the value type it was first assigned: a pointer, or an integer; cast to change it');
    return;
  }
  declareMap(c, s.map, s.value, keyType, valueType, agg);
}

function assignVar(c: ProbeChecker, s: AssignVar): void {
  const valueType = c.typeOf(s.value);
  // A struct by value is copied into the variable (up to MAX_BLOB_BYTES), as bpftrace does.
  const t = valueType.kind === 'record' ? recordValueType(valueType) ?? valueType : valueType;
  if (t.kind === 'record') {
    c.failedVars.add(s.variable.name);
    c.error(`${typeName(t)} (${t.size} bytes) cannot be assigned to a variable`, s.value, `structs of at most ${MAX_BLOB_BYTES} bytes are copied; assign one of its members, or keep the pointer that leads to it`);
    return;
  }
  if (t.kind === 'args') {
    c.failedVars.add(s.variable.name);
    c.error('args cannot be assigned to a variable', s.value, 'assign one of its fields, $x = args->NAME');
    return;
  }
  if (t.kind === 'none' || t.kind === 'agg') {
    c.failedVars.add(s.variable.name);
    if (!c.failed.has(s.value)) c.error('this expression has no value to assign', s.value);
    return;
  }
  const prev = c.ap.variables.get(s.variable.name);
  if (prev && !s.op && isTypedAddress(prev) !== isTypedAddress(t)) {
    c.error(`Type mismatch for $${shownName(s.variable.name)}: ${mismatch(t, prev, 'variable')}`, s.value, 'a variable keeps the type it was first assigned: a pointer, or an integer; cast to change it');
    return;
  }
  if (prev && !sameShape(prev, t)) {
    c.error(`$${shownName(s.variable.name)} was assigned ${typeName(prev)} before, cannot assign ${typeName(t)}`, s.value);
    return;
  }
  if (s.op && t.kind !== 'int') c.error(`${s.op}= needs an integer`, s);
  if (!prev || (t.kind === 'string' && prev.kind === 'string' && t.size > prev.size)) c.ap.variables.set(s.variable.name, t);
  else if (prev.kind === 'tuple' && t.kind === 'tuple') c.ap.variables.set(s.variable.name, widen(prev, t));
  c.a.types.set(s.variable, c.ap.variables.get(s.variable.name)!);
}
