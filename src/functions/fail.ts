// fail(fmt, args...) (bpftrace 0.24+): a compile-time error with printf's formatting of literal
// arguments, at the call. bpftrace reports it only where its compile-time evaluation reaches the
// call; bpfscript has no compile-time branches, so every fail() a probe contains is reported.

import type { Expr } from '../ast';
import { compilePrintf } from '../format/printf';
import { none, type Value } from '../../common/types';
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
