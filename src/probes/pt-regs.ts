// Reading function arguments and return values from struct pt_regs, the context of kprobes and
// uprobes, following the x86-64 calling convention.

import type { Val } from '../codegen/llvm';
import type { EmitContext } from '../functions/types';

/** Offsets in x86-64's struct pt_regs of di, si, dx, cx, r8, r9: the first six arguments. */
const ARG_OFFSETS = [112, 104, 96, 88, 72, 64];
const AX_OFFSET = 80;
/** Offset of sp in x86-64's struct pt_regs: arguments passed on the stack are above it. */
export const PT_REGS_SP = 152;
/** Offset of cs: its low two bits are the privilege level the task ran at (3: user mode). */
export const PT_REGS_CS = 136;

function loadReg(ctx: EmitContext, offset: number): Val {
  return ctx.b.load(ctx.i64, ctx.b.byteOffset(ctx.ctxArg, offset, ctx.i64));
}

export const ptRegsArgs = {
  count: ARG_OFFSETS.length,
  read: (ctx: EmitContext, n: number): Val => loadReg(ctx, ARG_OFFSETS[n]),
};

export const ptRegsRetval = (ctx: EmitContext): Val => loadReg(ctx, AX_OFFSET);
