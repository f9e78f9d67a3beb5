// override(rc): makes the probed kernel function return rc without running
// (bpf_override_return). Only with --unsafe, only in kprobes, and the kernel allows it only on
// functions marked for error injection (ALLOW_ERROR_INJECTION).

import { none } from '../../common/types';
import type { FunctionDef } from './types';
import { allowedUnsafe } from './unsafe';
import { BpfHelper } from '../../common/kernel/bpf-helpers';

export const override: FunctionDef = {
  name: 'override',
  check(ctx, call) {
    if (!allowedUnsafe(ctx, call, true)) return none;
    const [rc, ...extra] = call.args;
    if (!rc || extra.length) {
      ctx.error('override() takes one argument, the return value', call, 'for example override(-12)');
      return none;
    }
    if (!ctx.probe.type.mayOverrideReturn) {
      ctx.error('override can only be used with kprobes.', call, 'override() replaces a kernel function\'s return value: use it in a kprobe');
      return none;
    }
    const t = ctx.typeOf(rc);
    if (t.kind !== 'int' && t.kind !== 'none') ctx.error(`override() expects an integer, got ${t.kind}`, rc);
    return none;
  },
  emit(ctx, call) {
    const v = ctx.emit(call.args[0]);
    const signed = v.type.kind === 'int' && v.type.signed;
    ctx.b.helper(BpfHelper.OVERRIDE_RETURN, ctx.i64, [ctx.i8p, ctx.i64], [ctx.ctxArg, ctx.b.intCast(v.v, ctx.i64, signed)]);
    return { type: none, v: ctx.constInt(0) };
  },
};
