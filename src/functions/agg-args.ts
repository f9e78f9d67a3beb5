// Argument rules shared by the aggregation modules.

import type { Call } from '../ast';
import type { CheckContext } from './types';

/**
 * Checks that `call` has `n` arguments, the first an integer; returns whether it is signed.
 * min, max, avg, stats, hist and lhist ignore the result: bpftrace treats their values as signed
 * 64-bit whatever the argument's type (a uint64 of 2^64-5 is -5 to them); only sum keeps the sign.
 */
export function integerArgument(ctx: CheckContext, call: Call, n = 1): boolean {
  if (call.args.length !== n) {
    ctx.error(`${call.name}() takes ${n === 1 ? 'exactly one argument' : `${n} arguments`}`, call);
    return true;
  }
  const t = ctx.typeOf(call.args[0]);
  if (t.kind !== 'int') {
    ctx.error(`${call.name}() expects an integer, got ${t.kind}`, call.args[0]);
    return true;
  }
  return t.signed;
}

/** The value of an integer-literal argument (lhist's bounds), or null with an error reported. */
export function literalArgument(ctx: CheckContext, call: Call, i: number, what: string): bigint | null {
  const a = call.args[i];
  if (a && a.kind === 'IntLit') return a.value;
  if (a && a.kind === 'Unary' && a.op === '-' && a.operand.kind === 'IntLit') return -a.operand.value;
  ctx.error(`${call.name}(): ${what} must be an integer literal`, a ?? call);
  return null;
}
