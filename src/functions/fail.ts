// fail(fmt, args...) (bpftrace 0.24+): a compile-time error with printf's formatting of literal
// arguments, at the call. bpftrace reports it only where its compile-time evaluation reaches the
// call; bpfscript has no compile-time branches, so every fail() a probe contains is reported.
//
// assert(cond, msg) (0.24+ standard library): when cond is false at run time, errorf("assert
// failed: %s", msg) and exit(1), as bpftrace's library macro does.

import type { Call, Expr } from '../ast';
import { compilePrintf } from '../format/printf';
import { none, type Value } from '../types';
import { IntPredicate } from '../codegen/llvm';
import type { FunctionDef } from './types';

function literal(e: Expr): Value | undefined {
  if (e.kind === 'IntLit') return e.value;
  if (e.kind === 'Unary' && e.op === '-' && e.operand.kind === 'IntLit') return -e.operand.value;
  if (e.kind === 'StrLit') return e.value;
  return undefined;
}

export const fail: FunctionDef = {
  name: 'fail',
  check(ctx, call) {
    const [fmt, ...rest] = call.args;
    if (!fmt || fmt.kind !== 'StrLit') {
      ctx.error('fail() expects a string literal as its first argument', fmt ?? call);
      return none;
    }
    const values = rest.map(literal);
    const bad = values.findIndex((v) => v === undefined);
    if (bad >= 0) {
      ctx.error('fail() takes literal arguments only: it is reported when the script compiles', rest[bad]);
      return none;
    }
    ctx.error(compilePrintf(fmt.value)(values as Value[]), call);
    return none;
  },
  emit() {
    throw new Error('internal: fail() reached code generation');
  },
};

const failures = new WeakMap<Call, [Call, Call]>();

/** `errorf("assert failed: %s", msg)` and `exit(1)` at the assert's place, the same nodes each time. */
function failure(call: Call): [Call, Call] {
  let f = failures.get(call);
  if (!f) {
    const span = call.span;
    const c = (name: string, args: Expr[]): Call => ({ kind: 'Call', name, nameSpan: span, args, span });
    f = [c('errorf', [{ kind: 'StrLit', value: 'assert failed: %s', span }, call.args[1]]), c('exit', [{ kind: 'IntLit', value: 1n, span }])];
    failures.set(call, f);
  }
  return f;
}

export const assert: FunctionDef = {
  name: 'assert',
  check(ctx, call) {
    const [cond, msg, extra] = call.args;
    if (!cond || !msg || extra) {
      ctx.error('assert() takes a condition and a message: assert(cond, "message")', call);
      return none;
    }
    const t = ctx.typeOf(cond);
    if (t.kind !== 'int' && t.kind !== 'bool' && t.kind !== 'none') ctx.error(`assert()'s condition must be an integer, got ${t.kind}`, cond);
    // errorf() checks the message (a string) as its %s argument.
    for (const f of failure(call)) ctx.typeOf(f);
    return none;
  },
  emit(ctx, call) {
    const { b } = ctx;
    const [errorf, exit] = failure(call);
    const ok = b.appendBlock(ctx.fn, 'assert_ok');
    const bad = b.appendBlock(ctx.fn, 'assert_failed');
    const cond = ctx.emit(call.args[0]).v;
    b.condBr(b.icmp(IntPredicate.EQ, cond, ctx.constInt(0)), bad, ok);
    b.positionAtEnd(bad);
    ctx.emit(errorf);
    ctx.emit(exit);
    if (!b.terminated) b.br(ok);
    b.positionAtEnd(ok);
    return { type: none, v: ctx.constInt(0) };
  },
};
