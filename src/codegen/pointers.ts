// IR for pointers and arrays, following the types src/semantic/pointers.ts gave: `*p` and `p[N]`
// read the element through bpf_probe_read (user or kernel by the pointer's address space), since
// the address is not the program's own memory; `arr[N]` of an array value already copied into the
// program's memory is a plain load at a constant offset. Pointer arithmetic steps by element size.

import type { Index, Unary } from '../ast';
import type { CgValue, EmitContext } from '../functions/types';
import { derefSpace, indexOffset, isBlob, pointerStep, sizeOf, type AddrSpace, type IntType, type Type } from '../../common/types';
import type { Val } from './llvm';
import { Opcode } from './llvm';
import { probeReadHelper } from './probe-read';
import { kernelFieldAddress } from '../functions/kernel-field';
import type { KernelField } from '../semantic/checked-program';

/** Reads a value of type `t` at address `addr` (an i64) in `space`. Structs are not read: their value is their address. */
export function readAt(ctx: EmitContext, addr: Val, t: Type, space: AddrSpace): CgValue {
  const { b, c } = ctx;
  if (t.kind === 'record') return { type: t, v: addr };
  const read = (dst: Val, n: number) =>
    b.helper(probeReadHelper(space), ctx.i64, [ctx.i8p, c.int(32), ctx.i8p], [dst, c.constInt(c.int(32), n), b.intToPtr(addr, ctx.i8p)]);
  if (t.kind === 'int' || t.kind === 'bool') {
    const bits = t.kind === 'int' ? t.bits : 8;
    const slot = ctx.zeroed(8, 'deref');
    read(slot, bits / 8);
    const it = c.int(bits);
    return { type: t, v: b.intCast(b.load(it, b.bitcast(slot, c.ptr(it))), ctx.i64, t.kind === 'int' && t.signed) };
  }
  if (t.kind === 'tuple') {
    const buf = ctx.zeroed(Math.max(1, sizeOf(t)), 'deref');
    read(buf, sizeOf(t));
    return { type: t, v: buf };
  }
  if (t.kind === 'string') {
    // Copies keep one spare byte (a NUL after a char array that fills its space).
    const bytes = t.arrayLength ?? (isBlob(t) ? t.size - 1 : t.size);
    const buf = ctx.zeroed(t.size, 'deref');
    read(buf, bytes);
    return { type: t, v: buf };
  }
  throw new Error(`internal: cannot read ${t.kind} through a pointer`);
}

/** The probe's own address space for addresses of unknown origin (user memory in uprobes). */
export function probeSpace(ctx: EmitContext): AddrSpace {
  return ctx.probe.type.addressSpace;
}

export function emitDeref(ctx: EmitContext, e: Unary): CgValue {
  const target = ctx.emit(e.operand);
  return readAt(ctx, target.v, ctx.typeOf(e), derefSpace(target.type, probeSpace(ctx)));
}

export function emitIndex(ctx: EmitContext, e: Index, n: number, plan: KernelField | undefined): CgValue {
  const { b, c } = ctx;
  const t = ctx.typeOf(e);
  if (plan?.place && e.target.kind === 'FieldAccess') {
    // An array member in memory: read just the element.
    const offset = indexOffset(plan.type, n);
    const base = kernelFieldAddress(ctx, e.target, plan);
    return readAt(ctx, offset ? b.binop(Opcode.Add, base, ctx.constInt(offset)) : base, t, plan.space);
  }
  const target = ctx.emit(e.target);
  const offset = indexOffset(target.type, n);
  if (target.type.kind === 'int') {
    const addr = offset ? b.binop(Opcode.Add, target.v, ctx.constInt(offset)) : target.v;
    return readAt(ctx, addr, t, derefSpace(target.type, probeSpace(ctx)));
  }
  // An array value: its bytes are already in the program's memory.
  if (t.kind === 'int') {
    const it = c.int(t.bits);
    return { type: t, v: b.intCast(b.load(it, b.byteOffset(target.v, offset, it)), ctx.i64, t.signed) };
  }
  return { type: t, v: b.byteOffset(target.v, offset, c.int(8)) };
}

/** `n` elements of pointer type `p`, in bytes: what `p + n` adds. */
export function scaleBy(ctx: EmitContext, n: Val, p: IntType): Val {
  const step = pointerStep(p);
  return step === 1 ? n : ctx.b.binop(Opcode.Mul, n, ctx.constInt(step));
}
