// len(kstack), len(ustack), len(ustack(N)) … (bpftrace 0.23+): the frames of the stack where the
// probe fired. A recorded stack is only an id into a stack trace map, which programs cannot
// read, so the frames are captured again with bpf_get_stack into scratch memory and counted from
// the bytes it wrote; a stack that cannot be captured (no user stack in a kernel thread) is 0.
// The stack must be written in the call: a stack kept in a variable or map has no frames to count.

import type { Expr } from '../ast';
import { IntPredicate, Opcode } from '../codegen/llvm';
import { BpfHelper } from '../kernel/bpf-helpers';
import { s64, type StringType } from '../types';
import { BPF_F_USER_STACK } from './stack';
import type { CgValue, CheckContext, EmitContext } from './types';

export const isStack = (t: { kind: string; format?: string }): boolean => t.kind === 'string' && (t.format === 'kstack' || t.format === 'ustack');

const written = (e: Expr): boolean => (e.kind === 'Builtin' || e.kind === 'Call') && (e.name === 'kstack' || e.name === 'ustack');

/** Whether len() can count `e`'s frames; reports why not. */
export function checkStackLen(ctx: CheckContext, e: Expr): boolean {
  if (written(e)) return true;
  ctx.error('len() counts the frames of a stack captured in the call: a stack kept in a variable or map is only its id', e, 'write len(ustack), len(kstack(10)) …');
  return false;
}

export function emitStackLen(ctx: EmitContext, e: Expr): CgValue {
  const { b, c, i64 } = ctx;
  const t = ctx.typeOf(e) as StringType;
  const depth = t.stack?.depth ?? 127;
  const buf = ctx.scratch(depth * 8, 'stack_len');
  const flags = t.format === 'ustack' ? BPF_F_USER_STACK : 0;
  const bytes = b.helper(BpfHelper.GET_STACK, i64, [ctx.i8p, ctx.i8p, c.int(32), i64], [ctx.ctxArg, buf, c.constInt(c.int(32), depth * 8), ctx.constInt(flags)], 'stack_bytes');
  // A negative result is an error: no frames.
  const ok = b.icmp(IntPredicate.SGT, bytes, ctx.constInt(0));
  return { type: s64, v: b.select(ok, b.binop(Opcode.LShr, bytes, ctx.constInt(3)), ctx.constInt(0)) };
}
