// usermode (bpftrace 0.24+): 1 when the probe fired while the task ran in user mode, 0 in kernel
// mode. Where the context holds the interrupted registers (kprobe, uprobe, usdt, perf events) the
// privilege level is the low two bits of the saved CS register (x86-64). Tracepoints, raw
// tracepoints, kfuncs and iterators always run in the kernel: 0. BEGIN and END are 1, as in
// bpftrace, whose BEGIN and END run on behalf of its own user-space process.

import { Opcode, IntPredicate } from '../codegen/llvm';
import { intType } from '../../common/types';
import type { BuiltinDef } from './types';
import { PT_REGS_CS } from '../probes/pt-regs';

const u8 = intType(8, false);

export const usermode: BuiltinDef = {
  name: 'usermode',
  check: () => u8,
  emit(ctx) {
    const { b, probe: p } = ctx;
    if (p.type.runOnce) return { type: u8, v: ctx.constInt(1) };
    const context = p.type.context(p);
    if (context !== 'pt_regs' && context !== 'perf') return { type: u8, v: ctx.constInt(0) };
    const cs = b.load(ctx.i64, b.byteOffset(ctx.ctxArg, PT_REGS_CS, ctx.i64));
    const user = b.icmp(IntPredicate.EQ, b.binop(Opcode.And, cs, ctx.constInt(3)), ctx.constInt(3));
    return { type: u8, v: b.intCast(user, ctx.i64, false) };
  },
};
