// The state of type checking one program (one attach point of a probe), shared by the modules of
// functions over it: check-statements.ts, infer-expr.ts, kernel-access.ts and type-rules.ts. It is
// also the CheckContext that builtin and function modules check themselves through.

import type { Call, Expr, Span } from '../ast';
import type { DiagnosticBag } from '../../common/diagnostics';
import type { CheckContext, EventData, LanguageOptions } from '../functions';
import type { ExpandedProbe } from '../probes';
import { type AddrSpace, type Type } from '../../common/types';
import { typeName } from '../type-name';
import type { AnalyzedProbe, Analysis, EventSpec } from './checked-program';
import { inferExpr } from './infer-expr';

export class ProbeChecker implements CheckContext {
  readonly probe: ExpandedProbe;
  /** Enclosing while loops: break and continue are valid only inside one. */
  loops = 0;

  constructor(
    readonly a: Analysis,
    readonly ap: AnalyzedProbe,
    private readonly diags: DiagnosticBag,
    /** The second round: every map's type is known, so reads of unknown maps are errors. */
    readonly final: boolean,
  ) {
    this.probe = ap.expanded;
  }

  get options(): LanguageOptions {
    return this.a;
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

  /** The expression of the expression statement being checked. */
  statement: Expr | null = null;

  isStatement(e: Expr): boolean {
    return this.statement === e;
  }

  watchHelper(node: { span: Span }, helper: string, level: 0 | 1 | 2, span: Span = node.span): void {
    if (this.a.helperErrors < level || this.a.helperEvents.has(node)) return;
    const spec: EventSpec = { id: this.a.events.length + 1, fn: 'helper-error', data: { helper, span } };
    this.a.events.push(spec);
    this.a.helperEvents.set(node, spec.id);
  }

  expectInt(e: Expr, what: string): void {
    const t = this.typeOf(e);
    if (t.kind !== 'int' && t.kind !== 'bool') this.error(`${what} must be an integer, got ${typeName(t)}`, e);
  }

  typeOf(e: Expr): Type {
    const before = this.diags.items.length;
    const t = inferExpr(this, e);
    this.a.types.set(e, t);
    if (this.diags.items.length > before || (t.kind === 'none' && astChildren(e).some((c) => this.failed.has(c as Expr)))) this.failed.add(e);
    return t;
  }

  /** Expressions that already produced an error: their statements report nothing more. */
  readonly failed = new Set<Expr>();
  /** Variables whose assignment failed: their uses are silent rather than "undefined". */
  readonly failedVars = new Set<string>();

  /** Array members indexed right away (`$t->arr[2]`): only the element is read, whatever the array's size. */
  readonly indexTargets = new Set<Expr>();

  /** Address space of pointers this probe hands out: user memory for uprobes, kernel otherwise. */
  defaultSpace(): AddrSpace {
    return this.probe.type.addressSpace;
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
