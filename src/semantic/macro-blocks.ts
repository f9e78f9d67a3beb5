// Where a macro's expansion (a block expression) can run as plain statements, it does: a call
// written as a statement becomes the body's statements; a call whose value is used, in a place
// evaluated once and unconditionally (an assignment, a call's argument, an if's condition …), has
// its statements run just before the statement that uses it, and leaves its value in place. The
// expansion's variables are already renamed apart from the caller's, so nothing clashes. What is
// left (where nothing may move ahead: a call inside a block expression's value, a ?: inside a
// while condition's right side …) stays a block expression for the passes that evaluate those.
// After && or ||, and in a ?: branch, the statements run under an if. A while condition or a predicate with statements to run first
// becomes a test at the top of the loop body or the probe body.

import type { Binary, Block, BlockExpr, Expr, Program, Span, Stmt, Ternary, Variable } from '../ast';
import type { DiagnosticBag } from '../../common/diagnostics';

/** Statements to run before the current one, or null where nothing may be moved ahead. */
type Ahead = Stmt[] | null;

export function flattenMacroBlocks(program: Program, diags: DiagnosticBag): void {
  const done = new Map<Expr, Expr>();
  let temps = 0;

  const block = (b: Block): Block => ({ ...b, stmts: stmts(b.stmts) });

  function stmts(list: Stmt[]): Stmt[] {
    const out: Stmt[] = [];
    for (const s of list) {
      if (s.kind === 'ExprStmt' && s.expr.kind === 'BlockExpr' && (s.expr.macro || !s.expr.stmts.length)) {
        out.push(...stmts(s.expr.stmts));
        if (s.expr.value) out.push(...stmts([{ kind: 'ExprStmt', expr: s.expr.value, span: s.expr.value.span }]));
        continue;
      }
      const ahead: Stmt[] = [];
      const next = stmt(s, ahead);
      out.push(...ahead, next);
    }
    return out;
  }

  function stmt(s: Stmt, ahead: Stmt[]): Stmt {
    switch (s.kind) {
      case 'ExprStmt':
        return { ...s, expr: expr(s.expr, ahead) };
      case 'AssignVar':
        return { ...s, value: expr(s.value, ahead) };
      case 'AssignMap':
        // `@m = { stmts; avg($x) }`: an aggregation cannot pass through a variable, so the
        // assignment itself goes into the block.
        if (s.value.kind === 'BlockExpr' && !s.value.macro && s.value.stmts.length && s.value.value) {
          const inner = { ...s, value: s.value.value };
          return blockOf(stmts([...s.value.stmts, inner]), s.value.span);
        }
        return { ...s, map: { ...s.map, keys: s.map.keys.map((k) => expr(k, ahead)) }, value: expr(s.value, ahead) };
      case 'Let':
        return { ...s, value: s.value && expr(s.value, ahead) };
      case 'If':
        return { ...s, cond: expr(s.cond, ahead), then: block(s.then), else: s.else && block(s.else) };
      case 'While': {
        // A condition with statements to run first is tested at the top of the body, each round.
        const first: Stmt[] = [];
        const cond = expr(s.cond, first);
        const body = block(s.body);
        if (!first.length) return { ...s, cond, body };
        const one: Expr = { kind: 'IntLit', value: 1n, span: s.cond.span };
        return { ...s, cond: one, body: { ...body, stmts: [...first, unless(cond, 'break'), ...body.stmts] } };
      }
      case 'Unroll':
        return { ...s, count: expr(s.count, null), body: block(s.body) };
      case 'For':
        return { ...s, iterable: s.iterable.kind === 'Range' ? { ...s.iterable, start: expr(s.iterable.start, ahead), end: expr(s.iterable.end, ahead) } : s.iterable, body: block(s.body) };
      default:
        return generic(s, null) as Stmt;
    }
  }

  function expr(e: Expr, ahead: Ahead): Expr {
    const seen = done.get(e);
    if (seen) return seen;
    let out: Expr;
    if (e.kind === 'BlockExpr') out = blockExpr(e, ahead);
    else if (e.kind === 'Binary' && (e.op === '&&' || e.op === '||')) out = logical(e, ahead);
    else if (e.kind === 'Ternary') out = ternary(e, ahead);
    else if (e.kind === 'Sizeof') out = e; // never evaluated
    // A record's values are not nodes of their own: each is flattened in the order written.
    else if (e.kind === 'Record') out = { ...e, fields: e.fields.map((f) => ({ ...f, value: expr(f.value, ahead) })) };
    else out = generic(e, ahead) as Expr;
    done.set(e, out);
    return out;
  }

  /**
   * `a && m()` whose right side has statements to run first: they may run only when `a` lets the
   * right side run, so `$r = 0 && 0; if (a) { stmts; $r = 1 && value; }` (`||` alike) and `$r` in
   * its place, which keeps the operator's own result type.
   */
  function logical(e: Binary, ahead: Ahead): Expr {
    const left = expr(e.left, ahead);
    const first: Stmt[] = [];
    const right = expr(e.right, ahead ? first : null);
    if (!first.length || !ahead) return { ...e, left, right };
    const span = e.span;
    const and = e.op === '&&';
    const r = temp(and ? 'and' : 'or', span);
    const int = (v: bigint): Expr => ({ kind: 'IntLit', value: v, span });
    const set = (v: Expr): Stmt => ({ kind: 'AssignVar', variable: r(), op: null, value: { ...e, left: int(and ? 1n : 0n), right: v }, span });
    ahead.push(set(int(and ? 0n : 1n)));
    const test: Expr = and ? left : { kind: 'Unary', op: '!', operand: left, span };
    ahead.push({ kind: 'If', cond: test, then: { kind: 'Block', stmts: [...first, set(right)], span }, else: null, span });
    return r();
  }

  /**
   * `c ? m() : e` whose branches have statements to run first: each runs in its own branch,
   * `if (c) { stmts; $t = then; } else { …; $t = else; }`, and `$t` takes the ternary's place.
   */
  function ternary(e: Ternary, ahead: Ahead): Expr {
    const cond = expr(e.cond, ahead);
    const thenFirst: Stmt[] = [];
    const elseFirst: Stmt[] = [];
    const then = e.elvis ? cond : expr(e.then, ahead ? thenFirst : null);
    const other = expr(e.else, ahead ? elseFirst : null);
    if (!ahead || (!thenFirst.length && !elseFirst.length)) return { ...e, cond, then, else: other };
    const span = e.span;
    const t = temp('ternary', span);
    const set = (v: Expr): Stmt => ({ kind: 'AssignVar', variable: t(), op: null, value: v, span });
    const block = (stmts: Stmt[]): Block => ({ kind: 'Block', stmts, span });
    if (e.elvis) {
      // The condition is the value when it holds: evaluated once, into the temporary.
      ahead.push(set(cond), { kind: 'If', cond: { kind: 'Unary', op: '!', operand: t(), span }, then: block([...elseFirst, set(other)]), else: null, span });
    } else {
      // Declared ahead of the branches that assign it, so it outlives them (block scoping, 0.22+).
      ahead.push({ kind: 'Let', variable: t(), type: null, value: null, span });
      ahead.push({ kind: 'If', cond, then: block([...thenFirst, set(then)]), else: block([...elseFirst, set(other)]), span });
    }
    return t();
  }

  /** A variable of the flattening's own, as a maker of fresh nodes: later passes note facts per node. */
  function temp(what: string, span: Span): () => Variable {
    const name = `$${what}_${++temps}`;
    return () => ({ kind: 'Variable', name, span });
  }

  function blockExpr(e: BlockExpr, ahead: Ahead): Expr {
    const inner = stmts(e.stmts);
    // `{ value }` written by the user (a macro's argument, typically) is just its value.
    if (!e.macro && !inner.length && e.value) return expr(e.value, ahead);
    if (!e.macro && e.value && ahead) return valueBlock(e, inner, ahead);
    if (!e.macro) return { ...e, stmts: inner, value: e.value && expr(e.value, null) };
    if (inner.length && ahead) ahead.push(...inner);
    const value = e.value && expr(e.value, inner.length && !ahead ? null : ahead);
    if (!value) {
      diags.error(`macro ${e.macro}() has no value to use here`, e.span, "a macro's value is its last expression, written without ';'");
      return { ...e, stmts: [] };
    }
    return inner.length && !ahead ? { ...e, stmts: inner, value } : value;
  }

  /**
   * `{ stmts; value }` written by the user (bpftrace 0.24+): the statements run in a block of their
   * own (its variables end with it), `if (1) { stmts; $t = value; }`, and `$t`, declared ahead of
   * the block, takes its place.
   */
  function valueBlock(e: BlockExpr, inner: Stmt[], ahead: Stmt[]): Expr {
    const span = e.span;
    const t = temp('block', span);
    const first: Stmt[] = [];
    const value = expr(e.value!, first);
    ahead.push({ kind: 'Let', variable: t(), type: null, value: null, span });
    ahead.push(blockOf([...inner, ...first, { kind: 'AssignVar', variable: t(), op: null, value, span }], span));
    return t();
  }

  /** Statements in a block of their own (their variables end with it): `if (1) { … }`. */
  function blockOf(list: Stmt[], span: Span): Stmt {
    return { kind: 'If', cond: { kind: 'IntLit', value: 1n, span }, then: { kind: 'Block', stmts: list, span }, else: null, span };
  }

  /** Any other node: its expressions are rewritten in place order, its blocks flattened. */
  function generic(n: object, ahead: Ahead): object {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(n)) out[k] = child(v, ahead);
    return out;
  }
  function child(v: unknown, ahead: Ahead): unknown {
    if (Array.isArray(v)) return v.map((x) => child(x, ahead));
    if (v === null || typeof v !== 'object' || !('kind' in v)) return v;
    if (v.kind === 'Block') return block(v as Block);
    if (v.kind === 'TypeRef' || v.kind === 'Range') return v;
    return expr(v as Expr, ahead);
  }

  for (const p of program.probes) {
    // A predicate with statements to run first becomes the body's first test.
    const first: Stmt[] = [];
    const pred = p.predicate && expr(p.predicate, first);
    p.body = block(p.body);
    if (pred && first.length) {
      p.predicate = null;
      p.body = { ...p.body, stmts: [...first, unless(pred, 'return'), ...p.body.stmts] };
    } else p.predicate = pred;
  }
}

/** `if (!cond) { break; }` (or return). */
function unless(cond: Expr, jump: 'break' | 'return'): Stmt {
  const span = cond.span;
  return { kind: 'If', cond: { kind: 'Unary', op: '!', operand: cond, span }, then: { kind: 'Block', stmts: [{ kind: 'Jump', jump, span }], span }, else: null, span };
}
