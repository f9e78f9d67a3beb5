// Type inference and checking. Each attach point's program is checked on its own (a tracepoint's
// `args` differs per attach point); maps are global and fix their key and value types at first
// assignment. Two passes: the first learns every map's type, the second checks reads against them.

import type { AssignMap, AssignVar, Block, Call, Cast, Expr, FieldAccess, For, Index, MapRef, Program, Sizeof, Span, Stmt, Unary } from '../ast';
import { DiagnosticBag } from '../diagnostics';
import { aggregates, builtins, functions, type CheckContext, type EventData, type LanguageOptions } from '../functions';
import { storageType } from '../functions/storage';
import { expandAttachPoint } from '../probes';
import type { ExpandedProbe } from '../probes';
import { bpftraceTypeName, derefSpace, derefType, indexType, intPointerFromCType, literalIndex, pointerBinary, pointerUnaryError } from './pointers';
import { arithSigned, cSizeOf, isPointer, isTypedAddress, namedIntType, none, s64, sizeOf, stringType, typeEquals, typeName, u64, type AddrSpace, type IntType, type StringType, type Type } from '../types';
import type { AnalyzedProbe, Analysis, EventSpec, MapInfo } from './analysis';
import { fieldType } from './tracefs';
import { includedMacros } from './header-macros';
import { macroConstant, preprocess } from './preprocessor';
import { inlinePositionals } from './positionals';
import { findNamedType, kernelBtf, planMember, pointerTo, structOf, useScriptTypes } from './kernel-types';
import { scriptTypes } from './c-decls';
import { offsetofConstant } from '../functions/offsetof';
import { DEFAULT_MAP_KEYS } from './map-keys';
import { readConfig } from './config';
import { checkStringLiterals } from './string-limits';
import { dropUnresolved } from './unresolved';
import { BpfscriptError } from '../diagnostics';

const DEFAULT_STRLEN = 64;
import { didYouMean, withSuggestion } from '../suggest';
import { MAX_BLOB_BYTES, recordOfCopy, recordValueType } from './blob-layout';

export interface AnalyzeOptions {
  positionals?: string[];
  /** Capacity of str() results, NUL included; bpftrace 0.17's default is 64. */
  strLen?: number;
  /** Entries of each keyed map (BPFTRACE_MAP_KEYS_MAX). */
  mapKeys?: number;
  unsafe?: boolean;
  /** -p PID: usdt probes without a binary search the process's mapped objects. */
  pid?: number;
  /** The -c command's program (watchpoint:FUNC+argN probes FUNC in it). */
  command?: string;
  /** -k / -kk. */
  helperErrors?: number;
}

/** bpftrace's limits on unroll counts. */
const UNROLL_MAX = 100;

const describe: Record<string, string> = {
  Offsetof: 'offsetof',
  BlockExpr: 'a block expression',
};

const COMPARISONS = new Set(['==', '!=', '<', '<=', '>', '>=', '&&', '||']);

export function analyze(program: Program, opts: AnalyzeOptions = {}): Analysis {
  const diags = new DiagnosticBag();
  // Nothing but blanks, comments or definitions: bpftrace's parser stops at the end wanting a
  // probe, and so do we, rather than attaching nothing and waiting forever.
  if (program.probes.length === 0) {
    throw new BpfscriptError({ severity: 'ERROR', message: 'unexpected end of file, expected {', span: program.span, hint: 'a program needs at least one probe, e.g. BEGIN { printf("hello\\n"); exit(); }' });
  }
  const config = readConfig(program.config, diags);
  checkStringLiterals(program, diags);
  const analysis: Analysis = {
    program,
    probes: [],
    types: new Map(),
    maps: new Map(),
    events: [],
    eventIds: new Map(),
    helperEvents: new Map(),
    constants: new Map(),
    kernelFields: new Map(),
    positionals: opts.positionals ?? [],
    strLen: opts.strLen ?? config.strLen ?? DEFAULT_STRLEN,
    mapKeys: opts.mapKeys ?? config.mapKeys ?? DEFAULT_MAP_KEYS,
    forLoops: new Map(),
    unsafe: opts.unsafe ?? false,
    helperErrors: opts.helperErrors ?? 0,
  };

  inlinePositionals(program, analysis.positionals);

  // The front end parses these; until the semantic pass implements them, say so rather than
  // silently compiling a program that means something else.
  const unsupported: [string, { span: Program['span'] }[]][] = [
    ['import statements', program.imports ?? []],
    ['map declarations (let @m = hash(N))', program.mapDecls ?? []],
    ['macros', program.macros ?? []],
  ];
  for (const [what, nodes] of unsupported) {
    for (const node of nodes) diags.error(`${what} are not supported yet`, node.span, 'see spec.md for what is implemented');
  }
  useScriptTypes(program.cDefinitions?.length ? scriptTypes(program, diags) : undefined);

  let n = 0;
  const runOnceSeen = new Set<string>();
  for (const probe of program.probes) {
    // As in bpftrace, a wildcard that matches nothing is skipped when another attach point of the
    // probe does match (dcsnoop.bt's `kprobe:lookup_fast.constprop.*`); alone it is an error.
    const unmatched: typeof diags.items = [];
    let matched = false;
    for (const ap of probe.attachPoints) {
      try {
        const { type, probes } = expandAttachPoint(ap, probe, { pid: opts.pid, command: opts.command, positionals: opts.positionals });
        // The runtime runs BEGIN and END once each; bpftrace refuses a second one, before any work.
        if (type.runOnce) {
          if (runOnceSeen.has(type.runOnce)) {
            diags.error(`More than one ${type.name} probe defined`, ap.span);
            continue;
          }
          runOnceSeen.add(type.runOnce);
        }
        for (const expanded of probes) {
          matched = true;
          analysis.probes.push({ probe, type, expanded, progName: `probe_${n++}`, variables: new Map() });
        }
      } catch (e) {
        if (!(e instanceof BpfscriptError)) throw e;
        if (/[*?]/.test(ap.raw) && e.diagnostics.every((d) => /^no .* matches /.test(d.message))) unmatched.push(...e.diagnostics);
        else diags.items.push(...e.diagnostics);
      }
    }
    if (!matched) diags.items.push(...unmatched);
  }
  diags.throwIfErrors();

  for (const final of [false, true]) {
    if (final) {
      analysis.types.clear();
      analysis.events.length = 0;
      analysis.eventIds.clear();
      analysis.helperEvents.clear();
    }
    for (const ap of analysis.probes) {
      ap.variables.clear();
      new ProbeChecker(analysis, ap, final ? diags : new DiagnosticBag(), final).run();
    }
  }
  diags.throwIfErrors();
  dropUnresolved(analysis);
  return analysis;
}

/** Whether a type is, or contains, the type of an expression that could not be typed yet. */
function holdsNone(t: Type | null): boolean {
  return t !== null && (t.kind === 'none' || (t.kind === 'tuple' && t.elems.some(holdsNone)));
}

class ProbeChecker implements CheckContext {
  readonly probe: ExpandedProbe;
  /** Enclosing while loops: break and continue are valid only inside one. */
  private loops = 0;
  /** Enclosing for loops over maps, whose bodies are callbacks: `return` cannot leave the probe. */
  private inForMap = 0;
  /** The probe's variables while a for loop's body (which cannot see them) is checked. */
  private outerVars = new Set<string>();

  constructor(
    private readonly a: Analysis,
    private readonly ap: AnalyzedProbe,
    private readonly diags: DiagnosticBag,
    private readonly final: boolean,
  ) {
    this.probe = ap.expanded;
  }

  get options(): LanguageOptions {
    return this.a;
  }

  run(): void {
    const { predicate, body } = this.ap.probe;
    if (predicate) this.expectInt(predicate, 'predicate');
    this.block(body);
  }

  error(message: string, node: { span: Expr['span'] }, hint?: string): void {
    // A follow-on of an error already reported (a failed operand, a variable whose assignment
    // failed) says nothing new; bpftrace reports only the first.
    if (this.failed.has(node as Expr) || astChildren(node).some((c) => this.failed.has(c as Expr))) return;
    this.diags.error(message, node.span, hint);
  }

  warning(message: string, node: { span: Expr['span'] }, hint?: string): void {
    if (!this.final) return;
    this.a.warnings = [...(this.a.warnings ?? []), { severity: 'WARNING', message, span: node.span, hint }];
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

  watchHelper(node: { span: Span }, helper: string, level: 1 | 2, span: Span = node.span): void {
    if (this.a.helperErrors < level || this.a.helperEvents.has(node)) return;
    const spec: EventSpec = { id: this.a.events.length + 1, fn: 'helper-error', data: { helper, span } };
    this.a.events.push(spec);
    this.a.helperEvents.set(node, spec.id);
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
      case 'While':
        this.expectInt(s.cond, 'condition');
        this.loops++;
        this.block(s.body);
        this.loops--;
        return;
      case 'Unroll': {
        // A numeric $N is an IntLit by now (positionals.ts).
        const n = s.count.kind === 'IntLit' ? s.count.value : null;
        if (n === null) this.error('unroll needs an integer literal count', s.count);
        // bpftrace's wording, which scripts and its tests match on.
        else if (n > BigInt(UNROLL_MAX)) this.error(`unroll maximum value is ${UNROLL_MAX}`, s.count, `got ${n}; unroll counts run from 1 to ${UNROLL_MAX}`);
        else if (n < 1n) this.error('unroll minimum value is 1', s.count, `got ${n}; unroll counts run from 1 to ${UNROLL_MAX}`);
        else this.a.constants.set(s.count, Number(n));
        this.block(s.body);
        return;
      }
      case 'Jump':
        if (s.jump !== 'return' && this.loops === 0) this.error(`${s.jump} is only valid inside a while loop`, s);
        if (s.jump === 'return' && this.inForMap) this.error('return inside a for loop is not supported yet', s, "use 'break' to stop the loop");
        return;
      case 'For':
        return this.forMap(s);
      default:
        this.error(`${(s as Stmt).kind.toLowerCase()} statements are not supported yet`, s as Stmt);
        return;
    }
  }

  /**
   * `for ($kv : @m) { … }` (newer bpftrace): the body runs once per element, in a callback of
   * bpf_for_each_map_elem with a stack of its own; `$kv.0` is the key, `$kv.1` the value. The
   * probe's other variables are not visible inside.
   */
  private forMap(s: For): void {
    if (s.iterable.kind === 'Range') return this.forRange(s, s.iterable);
    const m = this.a.maps.get(`@${s.iterable.name}`);
    if (!m) {
      if (this.final) this.error(`Undefined map: @${s.iterable.name}`, s.iterable);
      return;
    }
    if (m.keyType === null || m.aggregate) {
      const why = m.aggregate ? `its values are ${m.aggregate.name}() aggregations, kept per CPU` : 'it has no keys';
      this.error(`a for loop cannot iterate @${s.iterable.name} yet: ${why}`, s.iterable, 'for loops iterate maps of plain values with keys, e.g. @m[k] = v');
      return;
    }
    const outer = new Map(this.ap.variables);
    const hidden = this.outerVars;
    this.outerVars = new Set([...hidden, ...outer.keys()]);
    this.ap.variables.clear();
    const kv: Type = { kind: 'tuple', elems: [m.keyType, m.valueType] };
    this.ap.variables.set(s.variable.name, kv);
    this.a.types.set(s.variable, kv);
    this.loops++;
    this.inForMap++;
    this.block(s.body);
    this.inForMap--;
    this.loops--;
    this.outerVars = hidden;
    this.a.forLoops.set(s, new Map(this.ap.variables));
    this.ap.variables.clear();
    for (const [k, v] of outer) this.ap.variables.set(k, v);
  }

  /**
   * `for ($i : a..b) { … }` (newer bpftrace): a and b are evaluated once, $i runs from a up to b-1.
   * The body is a bpf_loop callback that reaches the probe's variables through pointers, so it
   * reads and writes them like any other block; $i itself exists only inside the loop.
   */
  private forRange(s: For, r: Extract<For['iterable'], { kind: 'Range' }>): void {
    for (const [e, which] of [[r.start, 'start'], [r.end, 'end']] as const) {
      const t = this.typeOf(e);
      if (t.kind !== 'int' && t.kind !== 'bool' && t.kind !== 'none') this.error(`a loop range needs an integer ${which} value, got ${typeName(t)}`, e, 'for ($i : 0..10) counts $i from 0 to 9; both ends are integer expressions');
    }
    const name = s.variable.name;
    if (this.ap.variables.has(name) || this.outerVars.has(name)) {
      this.error(`the loop variable $${name} is already a variable of the probe`, s.variable, 'give the loop variable a name of its own');
      return;
    }
    this.ap.variables.set(name, s64);
    this.a.types.set(s.variable, s64);
    this.loops++;
    this.inForMap++;
    this.block(s.body);
    this.inForMap--;
    this.loops--;
    this.a.forLoops.set(s, new Map(this.ap.variables));
    this.ap.variables.delete(name);
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
      this.watchHelper(s, 'map_update_elem', 1);
      valueType = storageType(this.typeOf(v));
      if (valueType.kind === 'record') {
        this.error(`${typeName(valueType)} (${valueType.size} bytes) cannot be stored in a map`, v, `structs of at most ${MAX_BLOB_BYTES} bytes are copied; store one of its members instead`);
        return;
      }
      if (s.op && valueType.kind !== 'int') this.error(`${s.op}= needs an integer value`, s);
      if (valueType.kind === 'none') {
        if (!this.failed.has(v)) this.error('this expression has no value to store in a map', v);
        return;
      }
    }
    const prev = this.a.maps.get(`@${s.map.name}`);
    if (this.final && prev && !s.op && !agg && !holdsNone(prev.valueType) && isTypedAddress(prev.valueType) !== isTypedAddress(valueType)) {
      this.error(`Type mismatch for @${s.map.name}: ${mismatch(valueType, prev.valueType, 'map')}`, s.map, 'a map keeps the value type it was first assigned: a pointer, or an integer; cast to change it');
      return;
    }
    this.declareMap(s.map, s.value, keyType, valueType, agg);
  }

  private declareMap(map: MapRef, value: { span: Expr['span'] }, keyType: Type | null, valueType: Type, agg: MapInfo['aggregate']): void {
    const name = `@${map.name}`;
    const prev = this.a.maps.get(name);
    if (!prev) {
      const bpfName = map.name === '' ? 'AT_' : `AT_${map.name}`;
      this.a.maps.set(name, { name, bpfName, keyType, valueType, aggregate: agg, span: map.span });
      return;
    }
    // The first pass can meet a map before the map it reads from is known ($c = @later): what it
    // recorded then holds `none`, and the first complete use decides the map's types instead.
    if (holdsNone(prev.keyType) || holdsNone(prev.valueType)) {
      if (!holdsNone(keyType) && !holdsNone(valueType)) Object.assign(prev, { keyType, valueType, aggregate: agg });
      return;
    }
    if (!this.final) return;
    const kt = (t: Type | null) => (t ? typeName(t) : 'no key');
    if ((prev.keyType === null) !== (keyType === null) || (prev.keyType && keyType && !sameShape(prev.keyType, keyType))) {
      this.error(`map ${name} used with key ${kt(keyType)}, but it was first used with key ${kt(prev.keyType)}`, map);
    } else if (!sameShape(prev.valueType, valueType)) {
      this.error(`map ${name} assigned ${typeName(valueType)}, but it was first assigned ${typeName(prev.valueType)}`, value);
    } else {
      widenStrings(prev, keyType, valueType);
    }
  }

  private keyType(keys: Expr[]): Type {
    const ts = keys.map((k) => storageType(this.typeOf(k)));
    for (const [i, t] of ts.entries()) {
      if (t.kind !== 'int' && t.kind !== 'string' && t.kind !== 'tuple' && !this.failed.has(keys[i])) this.error(`${typeName(t)} cannot be used as a map key`, keys[i]);
    }
    return ts.length === 1 ? ts[0] : { kind: 'tuple', elems: ts };
  }

  private assignVar(s: AssignVar): void {
    const valueType = this.typeOf(s.value);
    // A struct by value is copied into the variable (up to MAX_BLOB_BYTES), as bpftrace does.
    const t = valueType.kind === 'record' ? recordValueType(valueType) ?? valueType : valueType;
    if (t.kind === 'record') {
      this.failedVars.add(s.variable.name);
      this.error(`${typeName(t)} (${t.size} bytes) cannot be assigned to a variable`, s.value, `structs of at most ${MAX_BLOB_BYTES} bytes are copied; assign one of its members, or keep the pointer that leads to it`);
      return;
    }
    if (t.kind === 'none' || t.kind === 'agg') {
      this.failedVars.add(s.variable.name);
      if (!this.failed.has(s.value)) this.error('this expression has no value to assign', s.value);
      return;
    }
    const prev = this.ap.variables.get(s.variable.name);
    if (prev && !s.op && isTypedAddress(prev) !== isTypedAddress(t)) {
      this.error(`Type mismatch for $${s.variable.name}: ${mismatch(t, prev, 'variable')}`, s.value, 'a variable keeps the type it was first assigned: a pointer, or an integer; cast to change it');
      return;
    }
    if (prev && !sameShape(prev, t)) {
      this.error(`$${s.variable.name} was assigned ${typeName(prev)} before, cannot assign ${typeName(t)}`, s.value);
      return;
    }
    if (s.op && t.kind !== 'int') this.error(`${s.op}= needs an integer`, s);
    if (!prev || (t.kind === 'string' && prev.kind === 'string' && t.size > prev.size)) this.ap.variables.set(s.variable.name, t);
    else if (prev.kind === 'tuple' && t.kind === 'tuple') this.ap.variables.set(s.variable.name, widen(prev, t));
    this.a.types.set(s.variable, this.ap.variables.get(s.variable.name)!);
  }

  typeOf(e: Expr): Type {
    const before = this.diags.items.length;
    const t = this.infer(e);
    this.a.types.set(e, t);
    if (this.diags.items.length > before || (t.kind === 'none' && astChildren(e).some((c) => this.failed.has(c as Expr)))) this.failed.add(e);
    return t;
  }

  /** Expressions that already produced an error: their statements report nothing more. */
  private readonly failed = new Set<Expr>();
  /** Variables whose assignment failed: their uses are silent rather than "undefined". */
  private readonly failedVars = new Set<string>();

  private unary(e: Unary): Type {
    const step = e.op.startsWith('++') || e.op.startsWith('--');
    if (step && e.operand.kind === 'MapRef') {
      const m = e.operand;
      const keyType = m.keys.length === 0 ? null : this.keyType(m.keys);
      const prev = this.a.maps.get(`@${m.name}`);
      if (prev && (prev.valueType.kind !== 'int' || prev.aggregate)) {
        if (this.final) this.error(`${e.op.slice(0, 2)} needs an integer map, but ${prev.name} holds ${typeName(prev.valueType)}`, e);
        return none;
      }
      this.declareMap(m, e, keyType, s64, undefined);
      const t = this.a.maps.get(`@${m.name}`)?.valueType ?? s64;
      this.a.types.set(m, t);
      return t;
    }
    if (step && e.operand.kind !== 'Variable') {
      this.error(`${e.op.slice(0, 2)} needs a variable or a map`, e.operand);
      return none;
    }
    if (step && e.operand.kind === 'Variable' && !this.ap.variables.has(e.operand.name)) {
      // bpftrace lets $x++ create $x, starting from 0.
      this.ap.variables.set(e.operand.name, s64);
    }
    const t = this.typeOf(e.operand);
    if (t.kind !== 'int') {
      if (t.kind !== 'none') this.error(`operator ${e.op.replace(/pre|post/, '')} needs an integer operand, got ${typeName(t)}`, e);
      return none;
    }
    if (isPointer(t) && !step) {
      this.error(pointerUnaryError(e.op, t), e, 'cast the pointer to an integer type first');
      return none;
    }
    if (e.op === '!') return u64;
    if (e.op === '-') return s64;
    if (e.op === '~') return t;
    if (step) return t;
    this.error(`operator ${e.op} is not supported yet`, e);
    return none;
  }

  /** `*p`: the element a pointer points to (src/semantic/pointers.ts). */
  private deref(e: Unary): Type {
    const t = this.typeOf(e.operand);
    if (t.kind === 'none') return none;
    const r = derefType(t);
    if ('error' in r) {
      this.error(r.error, e);
      return none;
    }
    return r;
  }

  /** Array members indexed right away (`$t->arr[2]`): only the element is read, whatever the array's size. */
  private readonly indexTargets = new Set<Expr>();

  /** `p[N]` and `arr[N]`, with N a literal, as bpftrace 0.17 requires. */
  private index(e: Index): Type {
    if (e.target.kind === 'FieldAccess') this.indexTargets.add(e.target);
    const t = this.typeOf(e.target);
    this.typeOf(e.index);
    if (t.kind === 'none') return none;
    const n = literalIndex(e.index);
    if (n === null) {
      this.error('The array index operator [] only accepts literal integer indices.', e, 'write the index as a number ($p[2]); for a computed index, use pointer arithmetic: *($p + $i)');
      return none;
    }
    const r = indexType(t, n, derefSpace(t, this.defaultSpace()));
    if ('error' in r) {
      this.error(r.error, e);
      return none;
    }
    this.a.constants.set(e.index, n);
    return r;
  }

  private cast(e: Cast): Type {
    const from = this.typeOf(e.operand);
    const to: IntType | undefined = e.type.pointerDepth > 0 ? this.pointerCast(e, from) : namedIntType(e.type.name);
    if (to === undefined && e.type.pointerDepth > 0) return none;
    if (!to || e.type.arrayLength !== null) {
      this.error(`cannot cast to ${e.type.name}${e.type.arrayLength !== null ? `[${e.type.arrayLength}]` : ''}`, e.type, 'integer casts are supported: (uint8), (int32), (uint64) …');
      return none;
    }
    if (from.kind !== 'int') {
      if (from.kind !== 'none') this.error(`cannot cast ${typeName(from)} to ${e.type.name}`, e);
      return none;
    }
    return to;
  }

  /** `(T *)x`: an address in the probe's memory; a struct or union T makes `->` work on it. */
  private pointerCast(e: Cast, from: Type): IntType | undefined {
    // A typed kernel pointer (ctx, curtask) stays one in a uprobe: (struct pt_regs *)ctx.
    const space = from.kind === 'int' && from.space === 'kernel' && from.ctype ? 'kernel' : this.defaultSpace();
    const depth = e.type.pointerDepth;
    const ctype = (n: number) => `${e.type.name} ${'*'.repeat(n)}`;
    // `(T **)x` points to a `T *`: each level's element is the pointer one level down.
    const wrap = (first: IntType): IntType => {
      let p = first;
      for (let n = 2; n <= depth; n++) p = { ...u64, space, elem: p, ctype: ctype(n) };
      return p;
    };
    const int = namedIntType(e.type.name);
    if (int) return wrap({ ...u64, space, elem: int, ctype: ctype(1) });
    if (e.type.name === 'void') return wrap({ ...u64, space });
    const btf = kernelBtf();
    const id = btf ? findNamedType(btf, e.type.name) : null;
    if (id === null || !btf) {
      if (!/^(struct|union|enum)\s/.test(e.type.name)) return wrap({ ...u64, space });
      this.error(`unknown type '${e.type.name}'`, e.type, btf ? 'kernel types come from /sys/kernel/btf/vmlinux; check the spelling' : 'this kernel exposes no BTF (/sys/kernel/btf/vmlinux)');
      return undefined;
    }
    return wrap(pointerTo(btf, id, space, ctype(1)));
  }

  private sizeofExpr(e: Sizeof): Type {
    if (e.type) {
      const t = e.type.pointerDepth > 0 ? u64 : namedIntType(e.type.name) ?? this.btfSizeType(e.type.name);
      if (!t) {
        this.error(`unknown type '${e.type.name}' in sizeof`, e.type, 'sizeof knows integer types (uint8 … int64 and their C names) so far');
        return u64;
      }
      this.a.constants.set(e, e.type.arrayLength !== null ? sizeOf(t) * e.type.arrayLength : sizeOf(t));
      return u64;
    }
    const op = e.operand!;
    const t = this.typeOf(op);
    if (t.kind === 'none' || t.kind === 'agg' || t.kind === 'args') {
      if (!this.failed.has(op)) this.error(`sizeof cannot measure ${typeName(t)}`, op);
      return u64;
    }
    // Values are 64-bit in bpftrace unless their type says otherwise (fields, casts).
    const exact = t.kind === 'tuple' || op.kind === 'FieldAccess' || op.kind === 'Cast' || op.kind === 'Index' || (op.kind === 'Unary' && op.op === '*');
    const arrayLength = t.kind === 'string' ? t.arrayLength : undefined;
    this.a.constants.set(e, arrayLength ?? cSizeOf(exact ? t : storageType(t)));
    return u64;
  }

  /** A kernel type for sizeof: a record or integer of the BTF type's size (struct task_struct …). */
  private btfSizeType(name: string): Type | undefined {
    const btf = kernelBtf();
    const id = btf ? findNamedType(btf, name) : null;
    const size = id !== null ? btf!.sizeOf(id) : null;
    return size === null ? undefined : { kind: 'record', btf: id!, name, size, space: 'kernel' };
  }

  /** Address space of pointers this probe hands out: user memory for uprobes, kernel otherwise. */
  defaultSpace(): AddrSpace {
    return this.probe.provider === 'uprobe' || this.probe.provider === 'uretprobe' || this.probe.provider === 'usdt' ? 'user' : 'kernel';
  }

  private infer(e: Expr): Type {
    switch (e.kind) {
      case 'IntLit':
        return s64;
      case 'StrLit':
        return stringType(Buffer.byteLength(e.value, 'latin1') + 1);
      case 'Builtin': {
        // bpftrace 0.17 spells an iterator's context `ctx` (ctx->task): the same record as args.
        if (e.name === 'args' || (e.name === 'ctx' && this.probe.provider === 'iter')) {
          const t = this.ap.type.argsType?.(this.probe);
          if (!t) this.error(`args is not available in ${this.probe.provider} probes`, e);
          return t ?? none;
        }
        const def = builtins.get(e.name);
        // The script's own #define constants, macros of included headers and enumerators of kernel
        // enums are constants, as in bpftrace.
        const macro = def ? undefined : (macroConstant(preprocess(this.a.program, kernelBtf() !== null).defines, e.name) ?? includedMacros(this.a.program.includes.map((i) => i.path)).get(e.name));
        const enumerator = def || macro !== undefined ? null : kernelBtf()?.findEnumValue(e.name);
        if (macro !== undefined || enumerator) {
          this.a.constants.set(e, Number(macro ?? enumerator!.value));
          return s64;
        }
        if (!def) {
          this.error(`Unknown identifier: '${e.name}'`, e, didYouMean(e.name, [...builtins.keys(), 'args']));
          return none;
        }
        return def.check(this, e);
      }
      case 'Variable': {
        const t = this.ap.variables.get(e.name);
        if (!t && this.outerVars.has(e.name)) {
          this.error(`$${e.name} belongs to the probe: the body of a for loop over a map cannot use it yet`, e, 'pass the value through a map (@v = $x before the loop)');
          return none;
        }
        if (!t && this.failedVars.has(e.name)) {
          this.failed.add(e);
          return none;
        }
        if (!t) {
          this.error(`Undefined or undeclared variable: $${e.name}`, e, didYouMean(e.name, this.ap.variables.keys(), (v) => `$${v}`));
          return none;
        }
        return t;
      }
      case 'MapRef': {
        const m = this.a.maps.get(`@${e.name}`);
        if (!m) {
          if (this.final) this.error(`Undefined map: @${e.name}`, e, didYouMean(`@${e.name}`, this.a.maps.keys()));
          return none;
        }
        for (const k of e.keys) this.typeOf(k);
        if (e.keys.length) this.watchHelper(e, 'map_lookup_elem', 2);
        if ((m.keyType === null) !== (e.keys.length === 0)) {
          this.error(m.keyType === null ? `map ${m.name} has no key` : `map ${m.name} needs a key`, e);
          return none;
        }
        if (m.aggregate && m.valueType.kind === 'agg') {
          // Read over every CPU, as newer bpftrace reads them (codegen/agg-read.ts).
          if (m.aggregate.read) return m.aggregate.read.type(m.valueType);
          this.error(`the value of ${m.name} (a ${m.aggregate.name}() map) cannot be read in a probe: it is not one number`, e, `print(${m.name}) shows it; count, sum, min, max and avg maps can be read`);
          return none;
        }
        return m.valueType;
      }
      case 'Call':
        return this.call(e);
      case 'Binary': {
        let l = this.typeOf(e.left);
        let r = this.typeOf(e.right);
        // A map read in its own first assignment (`@n = @n + 1`) is not typed yet on the first
        // pass; as in bpftrace it reads as 0 of an unsigned 64-bit type, so the assignment can
        // declare the map. The final pass sees the declared type (or reports a map never assigned).
        if (!this.final && (l.kind === 'none' || r.kind === 'none') && l.kind !== 'string' && r.kind !== 'string') {
          if (l.kind === 'none') l = u64;
          if (r.kind === 'none') r = u64;
        }
        if (l.kind === 'string' && r.kind === 'string' && (e.op === '==' || e.op === '!=')) return u64;
        if (l.kind !== 'int' || r.kind !== 'int') {
          this.error(`operator ${e.op} needs integer operands, got ${typeName(l)} and ${typeName(r)}`, e);
          return none;
        }
        const ptr = pointerBinary(e.op, l, r);
        if (ptr && 'error' in ptr) {
          this.error(ptr.error, e, 'pointers take + and - of an integer (scaled by the element size) and comparisons; cast to an integer type for other arithmetic');
          return none;
        }
        if (ptr) return ptr.type;
        if (COMPARISONS.has(e.op)) return u64;
        return arithSigned(l, r) ? s64 : u64;
      }
      case 'Unary':
        return e.op === '*' ? this.deref(e) : this.unary(e);
      case 'Index':
        return this.index(e);
      case 'Positional':
        // Numbers, $# and missing ones were inlined as literals (positionals.ts): a text argument is left.
        return stringType(Buffer.byteLength(this.a.positionals[e.index - 1], 'latin1') + 1);
      case 'Cast':
        return this.cast(e);
      case 'Tuple': {
        // bpftrace packs a tuple like a C struct of its elements at their own widths.
        const elems = e.elems.map((x) => tupleElemType(this.typeOf(x)));
        const bad = elems.findIndex((t) => t.kind !== 'int' && t.kind !== 'string' && t.kind !== 'tuple');
        if (bad >= 0) {
          if (!this.failed.has(e.elems[bad])) this.error(`${typeName(elems[bad])} cannot be part of a tuple`, e.elems[bad]);
          return none;
        }
        return { kind: 'tuple', elems };
      }
      case 'TupleAccess': {
        const t = this.typeOf(e.target);
        if (t.kind !== 'tuple') {
          if (t.kind !== 'none') this.error(`.${e.index} needs a tuple, got ${typeName(t)}`, e);
          return none;
        }
        if (e.index >= t.elems.length) {
          this.error(`tuple index ${e.index} is out of range: the tuple has ${t.elems.length} elements`, { span: e.indexSpan });
          return none;
        }
        return t.elems[e.index];
      }
      case 'Sizeof':
        return this.sizeofExpr(e);
      case 'Offsetof': {
        const n = offsetofConstant(e, (msg, node, hint) => this.error(msg, node, hint));
        if (n !== undefined) this.a.constants.set(e, n);
        return n === undefined ? none : u64;
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
        if (t.kind === 'record' || (t.kind === 'int' && t.pointee !== undefined)) return this.kernelField(e, t);
        const copy = recordOfCopy(t);
        if (copy) return this.kernelField(e, copy);
        if (t.kind !== 'args') {
          if (t.kind !== 'none') this.error(`cannot access field '${e.field}' of ${typeName(t)}`, e);
          return none;
        }
        const f = this.probe.format?.fields.find((x) => x.name === e.field);
        if (!f) {
          const fields = this.probe.format?.fields.filter((x) => !x.name.startsWith('common_')).map((x) => x.name) ?? [];
          this.error(
            `${this.probe.provider === 'tracepoint' ? 'tracepoint' : 'function'} ${this.probe.name} has no ${this.probe.provider === 'tracepoint' ? 'field' : 'argument'} named '${e.field}'`,
            { span: e.fieldSpan },
            withSuggestion(didYouMean(e.field, fields), fields.length ? `its fields are: ${fields.join(', ')}` : undefined),
          );
          return none;
        }
        const ft = fieldType(f);
        // Pointer fields of syscall tracepoints are the syscall's own arguments: user memory.
        if (ft.kind === 'int' && /\*\s*$/.test(f.ctype)) {
          const space: AddrSpace = this.probe.name.startsWith('tracepoint:syscalls:') ? 'user' : 'kernel';
          return this.typedPointerField(f.name, f.ctype, space) ?? intPointerFromCType(f.ctype, space) ?? { ...ft, signed: false, space };
        }
        return ft;
      }
      default:
        this.error(`${describe[e.kind] ?? e.kind} is not supported yet`, e);
        return none;
    }
  }

  /**
   * A pointer argument typed from BTF, so `->` works on it: a kfunc parameter by its prototype, a
   * tracepoint field by its C type when that names a struct (`struct task_struct * p`).
   */
  private typedPointerField(name: string, ctype: string, space: AddrSpace): IntType | undefined {
    const btf = kernelBtf();
    if (!btf) return undefined;
    if (this.probe.provider === 'kfunc' || this.probe.provider === 'kretfunc') {
      const fn = this.probe.format ? btf.findFunc(this.probe.format.name) : null;
      const p = fn?.params.find((x) => x.name === name);
      if (p && btf.resolve(p.type).kind === 'ptr') {
        const t = btf.resolve(p.type);
        if (t.kind === 'ptr') return pointerTo(btf, t.target, space, btf.typeName(p.type));
      }
      return undefined;
    }
    const m = /^(?:const\s+)?(struct|union)\s+(\w+)\s*\*$/.exec(ctype.trim());
    const id = m ? findNamedType(btf, `${m[1]} ${m[2]}`) : null;
    return id === null ? undefined : pointerTo(btf, id, space, ctype.trim());
  }

  /** `ptr->member` and `record.member` into kernel (or user) memory, planned from BTF. */
  private kernelField(e: FieldAccess, t: Type): Type {
    const btf = kernelBtf()!;
    const record = t.kind === 'record';
    if (record && e.arrow) {
      this.error(`${typeName(t)} is not a pointer: use '.' to reach its member '${e.field}'`, e);
      return none;
    }
    if (!record && !e.arrow) {
      this.error(`${(t as IntType).ctype ?? 'this'} is a pointer: use '->' to reach its member '${e.field}'`, e);
      return none;
    }
    const structId = t.kind === 'record' ? t.btf : structOf(btf, (t as IntType).pointee!);
    if (structId === null) {
      this.error(`cannot access member '${e.field}' of ${(t as IntType).ctype ?? 'a pointer'}: it does not point to a struct or union`, e);
      return none;
    }
    const space = (t.kind === 'record' ? t.space : (t as IntType).space) ?? 'kernel';
    const plan = planMember(btf, structId, e.field, !record, space, this.indexTargets.has(e));
    if ('error' in plan) {
      this.error(plan.error, { span: e.fieldSpan }, plan.names ? didYouMean(e.field, plan.names) : undefined);
      return none;
    }
    this.a.kernelFields.set(e, plan);
    this.watchHelper(e, 'probe_read', 2);
    return plan.type;
  }

  private call(e: Call): Type {
    const fn = functions.get(e.name);
    if (fn) return fn.check(this, e);
    if (aggregates.has(e.name)) {
      this.error(`${e.name}() should be assigned to a map, as in @x = ${e.name}(...)`, e);
      return none;
    }
    this.error(`Unknown function: ${e.name}`, { span: e.nameSpan }, didYouMean(e.name, [...functions.keys(), ...aggregates.keys()].filter((f) => !f.includes('-')), (f) => `${f}()`));
    return none;
  }
}

/** The AST nodes directly inside a node (operands, arguments, keys, statement values). */
function astChildren(node: object): object[] {
  const out: object[] = [];
  for (const [k, v] of Object.entries(node)) {
    if (k === 'span' || !v || typeof v !== 'object') continue;
    for (const x of Array.isArray(v) ? v : [v]) if (x && typeof x === 'object' && typeof (x as { kind?: unknown }).kind === 'string') out.push(x);
  }
  return out;
}

const symbolic = (t: StringType): boolean => t.format === 'kstack' || t.format === 'ustack' || t.format === 'ksym' || t.format === 'usym';

/** Same kind of value, ignoring string capacity (a longer string widens the slot). */
function sameShape(a: Type, b: Type): boolean {
  // Stacks and symbols are strings only once printed: their recorded ids and addresses don't mix.
  if (a.kind === 'string' && b.kind === 'string') return symbolic(a) || symbolic(b) ? typeEquals(a, b) : true;
  if (a.kind === 'tuple' && b.kind === 'tuple') return a.elems.length === b.elems.length && a.elems.every((x, i) => sameShape(x, b.elems[i]));
  if (a.kind === 'int' && b.kind === 'int') return true;
  // As in bpftrace, sum((int8)x) and sum((uint64)y) feed one map (the first use decides how it
  // prints); lhist's bounds must still agree.
  if (a.kind === 'agg' && b.kind === 'agg') return typeEquals({ ...a, signed: false }, { ...b, signed: false });
  return typeEquals(a, b);
}

function widen(a: Type, b: Type): Type {
  if (a.kind === 'string' && b.kind === 'string') return b.size > a.size ? b : a;
  if (a.kind === 'tuple' && b.kind === 'tuple') return { kind: 'tuple', elems: a.elems.map((x, i) => widen(x, b.elems[i])) };
  if (a.kind === 'int' && b.kind === 'int') return a.signed || b.signed ? { ...a, signed: true } : a;
  return a;
}

/** An element of a tuple value: integers keep their width (`((int8)1, (int32)2)` is 8 bytes). */
function tupleElemType(t: Type): Type {
  if (t.kind === 'int' || t.kind === 'tuple') return t;
  return storageType(t);
}

/** bpftrace 0.17's words for assigning a pointer where an integer was, or the reverse. */
function mismatch(t: Type, prev: Type, holder: 'variable' | 'map'): string {
  return `trying to assign value of type '${bpftraceTypeName(t)}' when ${holder} already contains a value of type '${bpftraceTypeName(prev)}'`;
}

function widenStrings(m: MapInfo, key: Type | null, value: Type): void {
  if (m.keyType && key) m.keyType = widen(m.keyType, key);
  m.valueType = widen(m.valueType, value);
}
