// IR for a member access into kernel (or user) memory, following the plan the semantic pass made
// from BTF (src/semantic/kernel-types.ts): add the member's offset to the target's address, then
// read the member with bpf_probe_read_kernel/_user, since these addresses are not the program's
// own memory and the verifier only lets helpers dereference them. Records (`curtask->thread`) are
// not read at all: their value is their address, and a later `.member` reads from there.

import { Opcode, type Val } from '../codegen/llvm';
import { probeReadHelper } from '../codegen/probe-read';
import type { KernelField } from '../semantic/kernel-types';
import type { CgValue, EmitContext } from './types';
import type { FieldAccess } from '../ast';

/** The member's address (an i64), from the target's pointer, place or copy. */
export function kernelFieldAddress(ctx: EmitContext, e: FieldAccess, plan: KernelField): Val {
  const { b } = ctx;
  const target = ctx.emit(e.target);
  // A struct copied into a variable or map value (a string-like buffer) is read from its bytes.
  let base = target.type.kind === 'string' ? b.ptrToInt(target.v, ctx.i64) : target.v;
  // Through a pointer to a pointer: read each pointer on the way.
  for (let i = 0; i < (plan.derefs ?? 0); i++) {
    const slot = ctx.zeroed(8, 'kderef');
    ctx.reportHelper(e, b.helper(probeReadHelper(plan.space), ctx.i64, [ctx.i8p, ctx.c.int(32), ctx.i8p], [slot, ctx.c.constInt(ctx.c.int(32), 8), b.intToPtr(base, ctx.i8p)]), 'negative');
    base = b.load(ctx.i64, b.bitcast(slot, ctx.c.ptr(ctx.i64)));
  }
  const core = plan.layout?.core;
  if (core) return ctx.relocatedMember(base, plan.layout!.struct, plan.layout!.member, core, plan.offset);
  return plan.offset ? b.binop(Opcode.Add, base, ctx.constInt(plan.offset)) : base;
}

export function emitKernelField(ctx: EmitContext, e: FieldAccess, plan: KernelField): CgValue {
  const { b, c } = ctx;
  if (plan.place) throw new Error('internal: an indexed array member read whole');
  const addr = kernelFieldAddress(ctx, e, plan);
  const t = plan.type;
  if (t.kind === 'record') return { type: t, v: addr };
  const helper = probeReadHelper(plan.legacyRead ? undefined : plan.space);
  const read = (dst: ReturnType<EmitContext['zeroed']>, n: number) =>
    ctx.reportHelper(e, b.helper(helper, ctx.i64, [ctx.i8p, c.int(32), ctx.i8p], [dst, c.constInt(c.int(32), n), b.intToPtr(addr, ctx.i8p)]), 'negative');
  if (t.kind === 'string') {
    // One spare NUL byte after the array, so a full char[16] still prints as a terminated string.
    const buf = ctx.zeroed(t.size, 'kfield');
    read(buf, plan.bytes);
    return { type: t, v: buf };
  }
  if (t.kind !== 'int') throw new Error(`internal: kernel field of type ${t.kind}`);
  const slot = ctx.zeroed(8, 'kfield');
  read(slot, plan.bytes);
  const it = c.int(plan.bytes * 8);
  let v = b.intCast(b.load(it, b.bitcast(slot, c.ptr(it))), ctx.i64, t.signed && !plan.bitWidth);
  if (plan.bitWidth) {
    if (plan.bitShift) v = b.binop(Opcode.LShr, v, ctx.constInt(plan.bitShift));
    v = b.binop(Opcode.And, v, ctx.constInt((1n << BigInt(plan.bitWidth)) - 1n));
  }
  return { type: t, v };
}
