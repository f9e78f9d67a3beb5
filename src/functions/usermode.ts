// usermode (bpftrace 0.24+): 1 when the probe fired while the task ran in user mode, read from
// the privilege level in the low two bits of the saved CS register (x86-64), 0 in kernel mode.
// Only probes whose context holds the registers (kprobe, uprobe, usdt, perf events) have it.

import { Opcode, IntPredicate } from '../codegen/llvm';
import { intType, none } from '../types';
import type { BuiltinDef } from './types';
import { PT_REGS_CS } from '../probes/pt-regs';

const u8 = intType(8, false);

export const usermode: BuiltinDef = {
  name: 'usermode',
  check(ctx, node) {
    const p = ctx.probe;
    const context = p.type.context(p);
    if (context !== 'pt_regs' && context !== 'perf') {
      ctx.error(`usermode is not available in ${p.provider} probes: their context holds no registers`, node, 'usermode works in kprobe, uprobe, usdt, profile, interval, software and hardware probes');
      return none;
    }
    return u8;
  },
  emit(ctx) {
    const { b } = ctx;
    const cs = b.load(ctx.i64, b.byteOffset(ctx.ctxArg, PT_REGS_CS, ctx.i64));
    const user = b.icmp(IntPredicate.EQ, b.binop(Opcode.And, cs, ctx.constInt(3)), ctx.constInt(3));
    return { type: u8, v: b.intCast(user, ctx.i64, false) };
  },
};
