// Where each $variable lives, and `let` declarations (bpftrace 0.22+).
//
// bpftrace 0.17 gives a probe one namespace: a variable first assigned inside an `if` is still
// there after it. Since 0.22 a variable belongs to the block where it is declared (`let $x`) or
// first assigned, and is gone when that block ends. The dialect decides (common/dialect.ts):
//  - 0.26: each declaration is a variable of its own. Two that share a name (an `if` and its
//    `else` each assigning $x) get distinct internal names, `x@2`, so the later passes, which key
//    variables by name, keep them apart; a read of a variable whose block has ended is an error.
//  - 0.17: names are not changed; such a read is a WARNING, since 0.26 refuses it.
// `let` statements are lowered here into what the later passes know: `let $x = e` is `$x = e`,
// `let $x: T = e` is `$x = (T)e` (the annotation sizes the variable), `let $x: T` is `$x = (T)0`,
// and a bare `let $x` stays, to zero the variable where it stands (in a loop, each time round),
// once the first assignment has given the type. The AST is rewritten in
// place, as positionals.ts does, before any pass reads it.

import type { Block, BlockExpr, Expr, Let, Probe, Span, Stmt, Variable } from '../ast';
import type { DiagnosticBag } from '../../common/diagnostics';
import type { Dialect } from '../../common/dialect';

interface Binding {
  /** The name the later passes know it by. */
  key: string;
  span: Span;
}

class Scope {
  readonly vars = new Map<string, Binding>();
  constructor(readonly parent: Scope | null) {}
  find(name: string): Binding | undefined {
    return this.vars.get(name) ?? this.parent?.find(name);
  }
}

/** The name a diagnostic shows for an internal variable name (`x@2` is `x`). */
export function shownName(name: string): string {
  const at = name.indexOf('@');
  return at < 0 ? name : name.slice(0, at);
}

export function scopeVariables(probes: readonly Probe[], dialect: Dialect, diags: DiagnosticBag, warn: (message: string, span: Span, hint?: string) => void): void {
  for (const probe of probes) new ProbeScopes(dialect, diags, warn).probe(probe);
}

class ProbeScopes {
  /** How many variables of each name the probe has declared so far. */
  private readonly declared = new Map<string, number>();
  /** Variables whose block has ended, by name: the last one (for messages). */
  private readonly ended = new Map<string, Binding>();
  private readonly seen = new WeakSet<Variable>();
  private scope = new Scope(null);
  /** Bare `let $x;` declarations not assigned yet. */
  private readonly unassigned = new Map<Binding, Variable>();

  constructor(
    private readonly dialect: Dialect,
    private readonly diags: DiagnosticBag,
    private readonly warn: (message: string, span: Span, hint?: string) => void,
  ) {}

  probe(p: Probe): void {
    if (p.predicate) this.expr(p.predicate);
    this.stmts(p.body.stmts);
    for (const v of this.unassigned.values()) this.warn(`Variable $${shownName(v.name)} was never assigned to.`, v.span, 'a variable gets its type from its first assignment');
  }

  private nested(body: () => void): void {
    const outer = this.scope;
    this.scope = new Scope(outer);
    try {
      body();
    } finally {
      for (const [name, b] of this.scope.vars) this.ended.set(name, b);
      this.scope = outer;
    }
  }

  private block(b: Block): void {
    this.nested(() => this.stmts(b.stmts));
  }

  private stmts(list: Stmt[]): void {
    for (let i = 0; i < list.length; i++) {
      const s = list[i];
      if (s.kind !== 'Let') {
        this.stmt(s);
        continue;
      }
      list[i] = this.let(s);
    }
  }

  private declare(v: Variable): Binding {
    const n = (this.declared.get(v.name) ?? 0) + 1;
    this.declared.set(v.name, n);
    // Under 0.17 every declaration of a name is the same variable.
    const b: Binding = { key: this.dialect === '0.26' && n > 1 ? `${v.name}@${n}` : v.name, span: v.span };
    this.scope.vars.set(v.name, b);
    return b;
  }

  private bind(v: Variable, b: Binding): void {
    this.seen.add(v);
    v.name = b.key;
  }

  /** A write to `v`: the visible variable of that name, or a new one of this block. */
  private target(v: Variable): void {
    if (this.seen.has(v)) return;
    const b = this.scope.find(v.name) ?? this.declare(v);
    this.unassigned.delete(b);
    this.bind(v, b);
  }

  private read(v: Variable): void {
    if (this.seen.has(v)) return;
    const b = this.scope.find(v.name);
    if (b) return this.bind(v, b);
    const gone = this.ended.get(v.name);
    if (!gone) return; // never assigned: the type checker says so
    const where = `at ${gone.span.line}:${gone.span.col}`;
    if (this.dialect === '0.26') {
      this.diags.error(`Undefined or undeclared variable: $${v.name}`, v.span, `$${v.name} was assigned inside a block (${where}) that has ended: since bpftrace 0.22 a variable belongs to its block. Declare it before the block with 'let $${v.name};', or run with --compat 0.17`);
      this.seen.add(v);
      return;
    }
    this.warn(`$${v.name} is read outside the block where it was first assigned (${where}): bpftrace 0.22+ (--compat 0.26) scopes variables to their block and refuses this`, v.span, `declare it before the block with 'let $${v.name};' to mean the same under both`);
    this.bind(v, this.scope.find(v.name) ?? this.declare(v));
  }

  private let(s: Let): Stmt {
    if (s.value) this.expr(s.value);
    const v = s.variable;
    const visible = this.scope.find(v.name);
    if (visible && this.dialect === '0.26') {
      this.diags.error(`Variable $${v.name} was already declared. Variable shadowing is not allowed.`, s.span, `the first declaration is at ${visible.span.line}:${visible.span.col}; assign it without 'let'`);
    }
    const b = visible && this.dialect === '0.17' ? visible : this.declare(v);
    this.bind(v, b);
    if (!s.value && !s.type && b !== visible) this.unassigned.set(b, v);
    // A string annotation is not a cast: the value (or the first assignment) sizes the string.
    const cast = s.type && !(s.type.name === 'string' && s.type.pointerDepth === 0) ? s.type : null;
    const value: Expr | null = cast
      ? { kind: 'Cast', type: cast, operand: s.value ?? { kind: 'IntLit', value: 0n, span: s.span }, span: s.span }
      : s.value;
    return value ? { kind: 'AssignVar', variable: v, op: null, value, span: s.span } : s;
  }

  private stmt(s: Stmt): void {
    switch (s.kind) {
      case 'ExprStmt':
        return this.expr(s.expr);
      case 'AssignMap':
        this.expr(s.value);
        return this.expr(s.map);
      case 'AssignVar':
        this.expr(s.value);
        // `$x += 1` after $x's block ended reads the old $x under 0.17: a different meaning.
        if (s.op && !this.scope.find(s.variable.name) && this.ended.has(s.variable.name)) return this.read(s.variable);
        return this.target(s.variable);
      case 'If':
        this.expr(s.cond);
        this.block(s.then);
        if (s.else) this.block(s.else);
        return;
      case 'While':
        this.expr(s.cond);
        return this.block(s.body);
      case 'Unroll':
        this.expr(s.count);
        return this.block(s.body);
      case 'For':
        if (s.iterable.kind === 'Range') {
          this.expr(s.iterable.start);
          this.expr(s.iterable.end);
        } else this.expr(s.iterable);
        if (this.dialect === '0.26' && this.scope.find(s.variable.name)) {
          this.diags.error(`Loop declaration shadows existing variable: $${s.variable.name}`, s.variable.span, 'give the loop variable a name of its own');
        }
        return this.nested(() => {
          this.bind(s.variable, this.declare(s.variable));
          this.stmts(s.body.stmts);
        });
      case 'Jump':
        return;
      case 'Let':
        return; // lowered by stmts()
    }
  }

  private expr(e: Expr): void {
    switch (e.kind) {
      case 'Variable':
        return this.read(e);
      case 'BlockExpr':
        return this.blockExpr(e);
      case 'Unary':
        // `$x++` on a variable not seen yet makes it, as the type checker does.
        if (e.operand.kind === 'Variable' && /\+\+|--/.test(e.op) && !this.scope.find(e.operand.name) && !this.ended.has(e.operand.name)) return this.target(e.operand);
        return this.expr(e.operand);
      default:
        for (const [k, v] of Object.entries(e)) {
          if (k === 'span' || !v || typeof v !== 'object') continue;
          for (const x of Array.isArray(v) ? v : [v]) if (isExpr(x)) this.expr(x);
        }
    }
  }

  private blockExpr(e: BlockExpr): void {
    this.nested(() => {
      this.stmts(e.stmts);
      if (e.value) this.expr(e.value);
    });
  }
}

const NOT_EXPR = new Set(['TypeRef', 'Block', 'Range']);
function isExpr(x: unknown): x is Expr {
  return !!x && typeof x === 'object' && typeof (x as { kind?: unknown }).kind === 'string' && !NOT_EXPR.has((x as { kind: string }).kind);
}
