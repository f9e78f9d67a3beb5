// A value the optimiser may not reason about. The BPF verifier needs some bounds checks that LLVM
// can prove redundant and would delete; llvm.bpf.passthrough is the BPF backend's own barrier for
// that (it becomes nothing in the object), so a check applied to its result survives.

import type { Val } from './llvm';
import type { EmitContext } from '../functions/types';

let seq = 0;

export function opaqueToOptimizer(ctx: EmitContext, v: Val): Val {
  const { c, i64 } = ctx;
  const fnTy = c.fnType(i64, [c.int(32), i64]);
  const fn = ctx.m.declareFunction('llvm.bpf.passthrough.i64.i64', fnTy);
  // The sequence number keeps two barriers on equal values from being merged into one.
  return ctx.b.call(fnTy, fn, [c.constInt(c.int(32), seq++), v]);
}
