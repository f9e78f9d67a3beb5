// Type inference and checking. Each attach point's program is checked on its own (a tracepoint's
// `args` differs per attach point); maps are global and fix their key and value types at first
// assignment. Two passes: the first learns every map's type, the second checks reads against them.

import type { AssignMap, AssignVar, Block, Call, Expr, Program, Stmt } from '../ast';
import { DiagnosticBag } from '../diagnostics';
import { aggregates, builtins, functions, type CheckContext, type EventData } from '../functions';
import { storageType } from '../functions/storage';
import { expandAttachPoint } from '../probes';
import type { ExpandedProbe } from '../probes';
import { none, s64, stringType, typeEquals, typeName, u64, type Type } from '../types';
import type { AnalyzedProbe, Analysis, EventSpec, MapInfo } from './analysis';
import { fieldType } from './tracefs';
import { BpfscriptError } from '../diagnostics';

export interface AnalyzeOptions {
  positionals?: string[];
}

const describe: Record<string, string> = {
  Positional: 'a positional parameter',
  Index: 'indexing',
  Cast: 'a cast',
  Tuple: 'a tuple',
  TupleAccess: 'tuple access',
  Sizeof: 'sizeof',
};

const COMPARISONS = new Set(['==', '!=', '<', '<=', '>', '>=', '&&', '||']);

export function analyze(program: Program, _opts: AnalyzeOptions = {}): Analysis {
  const diags = new DiagnosticBag();
  const analysis: Analysis = { program, probes: [], types: new Map(), maps: new Map(), events: [], eventIds: new Map() };

  let n = 0;
  for (const probe of program.probes) {
    for (const ap of probe.attachPoints) {
      try {
        const { type, probes } = expandAttachPoint(ap);
        for (const expanded of probes) {
          analysis.probes.push({ probe, type, expanded, progName: `probe_${n++}`, variables: new Map() });
        }
      } catch (e) {
        if (!(e instanceof BpfscriptError)) throw e;
        diags.items.push(...e.diagnostics);
      }
    }
  }
  diags.throwIfErrors();

  for (const final of [false, true]) {
    if (final) {
      analysis.types.clear();
      analysis.events.length = 0;
      analysis.eventIds.clear();
    }
    for (const ap of analysis.probes) {
      ap.variables.clear();
      new ProbeChecker(analysis, ap, final ? diags : new DiagnosticBag(), final).run();
    }
  }
  diags.throwIfErrors();
  return analysis;
}

class ProbeChecker implements CheckContext {
  readonly probe: ExpandedProbe;

  constructor(
    private readonly a: Analysis,
    private readonly ap: AnalyzedProbe,
    private readonly diags: DiagnosticBag,
    private readonly final: boolean,
  ) {
    this.probe = ap.expanded;
  }

  run(): void {
    const { predicate, body } = this.ap.probe;
    if (predicate) this.expectInt(predicate, 'predicate');
    this.block(body);
  }

  error(message: string, node: { span: Expr['span'] }, hint?: string): void {
    this.diags.error(message, node.span, hint);
  }

  addEvent(call: Call, fn: string, data: EventData): number {
    const existing = this.a.eventIds.get(call);
    // One call in a probe with several attach points is one event: the same id and format.
    if (existing !== undefined) return existing;
    const spec: EventSpec = { id: this.a.events.length + 1, fn, data };
    this.a.events.push(spec);
    this.a.eventIds.set(call, spec.id);
    return spec.id;
  }

  private block(b: Block): void {
    for (const s of b.stmts) this.stmt(s);
  }

  private stmt(s: Stmt): void {
    switch (s.kind) {
      case 'ExprStmt':
        this.typeOf(s.expr);
        return;
      case 'AssignMap':
        return this.assignMap(s);
      case 'AssignVar':
        return this.assignVar(s);
      case 'If':
        this.expectInt(s.cond, 'condition');
        this.block(s.then);
        if (s.else) this.block(s.else);
        return;
      default:
        this.error(`${(s as Stmt).kind.toLowerCase()} statements are not supported yet`, s as Stmt);
        return;
    }
  }

  private expectInt(e: Expr, what: string): void {
    const t = this.typeOf(e);
    if (t.kind !== 'int' && t.kind !== 'bool') this.error(`${what} must be an integer, got ${typeName(t)}`, e);
  }

  private assignMap(s: AssignMap): void {
    const keyType = s.map.keys.length === 0 ? null : this.keyType(s.map.keys);
    const v = s.value;
    const agg = v.kind === 'Call' ? aggregates.get(v.name) : undefined;
    let valueType: Type;
    if (agg && v.kind === 'Call') {
      if (s.op) this.error(`${s.op}= cannot be used with ${agg.name}()`, s);
      valueType = agg.check(this, v);
      this.a.types.set(v, valueType);
    } else {
      valueType = storageType(this.typeOf(v));
      if (s.op && valueType.kind !== 'int') this.error(`${s.op}= needs an integer value`, s);
      if (valueType.kind === 'none') {
        if (!this.failed.has(v)) this.error('this expression has no value to store in a map', v);
        return;
      }
    }
    this.declareMap(s, keyType, valueType, agg);
  }

  private declareMap(s: AssignMap, keyType: Type | null, valueType: Type, agg: MapInfo['aggregate']): void {
    const name = `@${s.map.name}`;
    const prev = this.a.maps.get(name);
    if (!prev) {
      const bpfName = s.map.name === '' ? 'AT_' : `AT_${s.map.name}`;
      this.a.maps.set(name, { name, bpfName, keyType, valueType, aggregate: agg, span: s.map.span });
      return;
    }
    if (!this.final) return;
    const kt = (t: Type | null) => (t ? typeName(t) : 'no key');
    if ((prev.keyType === null) !== (keyType === null) || (prev.keyType && keyType && !sameShape(prev.keyType, keyType))) {
      this.error(`map ${name} used with key ${kt(keyType)}, but it was first used with key ${kt(prev.keyType)}`, s.map);
    } else if (!sameShape(prev.valueType, valueType)) {
      this.error(`map ${name} assigned ${typeName(valueType)}, but it was first assigned ${typeName(prev.valueType)}`, s.value);
    } else {
      widenStrings(prev, keyType, valueType);
    }
  }

  private keyType(keys: Expr[]): Type {
    const ts = keys.map((k) => storageType(this.typeOf(k)));
    for (const [i, t] of ts.entries()) {
      if (t.kind !== 'int' && t.kind !== 'string') this.error(`${typeName(t)} cannot be used as a map key`, keys[i]);
    }
    return ts.length === 1 ? ts[0] : { kind: 'tuple', elems: ts };
  }

  private assignVar(s: AssignVar): void {
    const t = this.typeOf(s.value);
    if (t.kind === 'none' || t.kind === 'agg') {
      if (!this.failed.has(s.value)) this.error('this expression has no value to assign', s.value);
      return;
    }
    const prev = this.ap.variables.get(s.variable.name);
    if (prev && !sameShape(prev, t)) {
      this.error(`$${s.variable.name} was assigned ${typeName(prev)} before, cannot assign ${typeName(t)}`, s.value);
      return;
    }
    if (s.op && t.kind !== 'int') this.error(`${s.op}= needs an integer`, s);
    if (!prev || (t.kind === 'string' && prev.kind === 'string' && t.size > prev.size)) this.ap.variables.set(s.variable.name, t);
    this.a.types.set(s.variable, this.ap.variables.get(s.variable.name)!);
  }

  typeOf(e: Expr): Type {
    const before = this.diags.items.length;
    const t = this.infer(e);
    this.a.types.set(e, t);
    if (this.diags.items.length > before) this.failed.add(e);
    return t;
  }

  /** Expressions that already produced an error: their statements report nothing more. */
  private readonly failed = new Set<Expr>();

  private infer(e: Expr): Type {
    switch (e.kind) {
      case 'IntLit':
        return s64;
      case 'StrLit':
        return stringType(Buffer.byteLength(e.value, 'latin1') + 1);
      case 'Builtin': {
        if (e.name === 'args') {
          const t = this.ap.type.argsType?.(this.probe);
          if (!t) this.error(`args is not available in ${this.probe.provider} probes`, e);
          return t ?? none;
        }
        const def = builtins.get(e.name);
        if (!def) {
          this.error(`Unknown identifier: '${e.name}'`, e);
          return none;
        }
        return def.check(this, e);
      }
      case 'Variable': {
        const t = this.ap.variables.get(e.name);
        if (!t) {
          this.error(`Undefined or undeclared variable: $${e.name}`, e);
          return none;
        }
        return t;
      }
      case 'MapRef': {
        const m = this.a.maps.get(`@${e.name}`);
        if (!m) {
          if (this.final) this.error(`Undefined map: @${e.name}`, e);
          return none;
        }
        for (const k of e.keys) this.typeOf(k);
        if (m.aggregate) {
          this.error(`reading the value of ${m.name} (a ${m.aggregate.name}() map) is not supported yet`, e);
          return none;
        }
        return m.valueType;
      }
      case 'Call':
        return this.call(e);
      case 'Binary': {
        const l = this.typeOf(e.left);
        const r = this.typeOf(e.right);
        if (l.kind === 'string' && r.kind === 'string' && (e.op === '==' || e.op === '!=')) return u64;
        if (l.kind !== 'int' || r.kind !== 'int') {
          this.error(`operator ${e.op} needs integer operands, got ${typeName(l)} and ${typeName(r)}`, e);
          return none;
        }
        if (COMPARISONS.has(e.op)) return u64;
        return l.signed || r.signed ? s64 : u64;
      }
      case 'Unary': {
        const t = this.typeOf(e.operand);
        if (t.kind !== 'int') {
          this.error(`operator ${e.op} needs an integer operand, got ${typeName(t)}`, e);
          return none;
        }
        if (e.op === '!') return u64;
        if (e.op === '-') return s64;
        if (e.op === '~') return t;
        this.error(`operator ${e.op.replace(/pre|post/, '')} is not supported yet`, e);
        return none;
      }
      case 'Ternary': {
        this.expectInt(e.cond, 'condition');
        const a = this.typeOf(e.then);
        const b = this.typeOf(e.else);
        if (!sameShape(a, b)) {
          this.error(`ternary branches have different types: ${typeName(a)} and ${typeName(b)}`, e);
          return none;
        }
        return a.kind === 'string' && b.kind === 'string' && b.size > a.size ? b : a;
      }
      case 'FieldAccess': {
        const t = this.typeOf(e.target);
        if (t.kind !== 'args') {
          if (t.kind !== 'none') this.error(`cannot access field '${e.field}' of ${typeName(t)}`, e);
          return none;
        }
        const f = this.probe.format?.fields.find((x) => x.name === e.field);
        if (!f) {
          const fields = this.probe.format?.fields.filter((x) => !x.name.startsWith('common_')).map((x) => x.name) ?? [];
          this.error(
            `tracepoint ${this.probe.name} has no field named '${e.field}'`,
            { span: e.fieldSpan },
            fields.length ? `its fields are: ${fields.join(', ')}` : undefined,
          );
          return none;
        }
        return fieldType(f);
      }
      default:
        this.error(`${describe[e.kind] ?? e.kind} is not supported yet`, e);
        return none;
    }
  }

  private call(e: Call): Type {
    const fn = functions.get(e.name);
    if (fn) return fn.check(this, e);
    if (aggregates.has(e.name)) {
      this.error(`${e.name}() should be assigned to a map, as in @x = ${e.name}(...)`, e);
      return none;
    }
    this.error(`Unknown function: ${e.name}`, { span: e.nameSpan });
    return none;
  }
}

/** Same kind of value, ignoring string capacity (a longer string widens the slot). */
function sameShape(a: Type, b: Type): boolean {
  if (a.kind === 'string' && b.kind === 'string') return true;
  if (a.kind === 'tuple' && b.kind === 'tuple') return a.elems.length === b.elems.length && a.elems.every((x, i) => sameShape(x, b.elems[i]));
  if (a.kind === 'int' && b.kind === 'int') return true;
  return typeEquals(a, b);
}

function widenStrings(m: MapInfo, key: Type | null, value: Type): void {
  const widen = (a: Type, b: Type): Type => {
    if (a.kind === 'string' && b.kind === 'string') return b.size > a.size ? b : a;
    if (a.kind === 'tuple' && b.kind === 'tuple') return { kind: 'tuple', elems: a.elems.map((x, i) => widen(x, b.elems[i])) };
    if (a.kind === 'int' && b.kind === 'int') return a.signed || b.signed ? { ...a, signed: true } : a;
    return a;
  };
  if (m.keyType && key) m.keyType = widen(m.keyType, key);
  m.valueType = widen(m.valueType, value);
}
