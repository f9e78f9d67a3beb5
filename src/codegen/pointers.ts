// IR for pointers and arrays, following the types src/semantic/pointers.ts gave: `*p` and `p[N]`
// read the element through bpf_probe_read (user or kernel by the pointer's address space), since
// the address is not the program's own memory; `arr[N]` of an array value already copied into the
// program's memory is a plain load at a constant offset. Pointer arithmetic steps by element size.

import type { Index, Unary } from '../ast';
import type { CgValue, EmitContext } from '../functions/types';
import { derefSpace, indexOffset, isBlob, pointerStep, sizeOf, type AddrSpace, type IntType, type Type } from '../../common/types';
import type { Val } from './llvm';
import { IntPredicate, Opcode } from './llvm';
import { opaqueToOptimizer } from './opaque';
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

/** `target[n]`; `n` undefined: an index computed at run time (bpftrace 0.22+). */
export function emitIndex(ctx: EmitContext, e: Index, n: number | undefined, plan: KernelField | undefined): CgValue {
  const { b, c } = ctx;
  const t = ctx.typeOf(e);
  const at = (type: Type): Val => (n === undefined ? b.binop(Opcode.Mul, ctx.emit(e.index).v, ctx.constInt(indexOffset(type, 1))) : ctx.constInt(indexOffset(type, n)));
  if (plan?.place && e.target.kind === 'FieldAccess') {
    // An array member in memory: read just the element.
    const offset = at(plan.type);
    const base = kernelFieldAddress(ctx, e.target, plan);
    return readAt(ctx, b.binop(Opcode.Add, base, offset), t, plan.space);
  }
  const target = ctx.emit(e.target);
  if (target.type.kind === 'int') return readAt(ctx, b.binop(Opcode.Add, target.v, at(target.type)), t, derefSpace(target.type, probeSpace(ctx)));
  // An array value: its bytes are already in the program's memory.
  if (n === undefined) return copiedElement(ctx, e, target, t);
  const offset = indexOffset(target.type, n);
  if (t.kind === 'int') {
    const it = c.int(t.bits);
    return { type: t, v: b.intCast(b.load(it, b.byteOffset(target.v, offset, it)), ctx.i64, t.signed) };
  }
  return { type: t, v: b.byteOffset(target.v, offset, c.int(8)) };
}

/**
 * Element `$i` of a string or integer array in the program's memory: an index past the end reads
 * 0. The bound is applied to a copy of the index the optimiser cannot see through, so the check the
 * verifier needs for a variable offset survives.
 */
function copiedElement(ctx: EmitContext, e: Index, target: CgValue, t: Type): CgValue {
  const { b, c } = ctx;
  const tt = target.type;
  const length = tt.kind === 'string' ? (tt.layout?.kind === 'array' ? tt.layout.length : tt.size) : 0;
  if (t.kind !== 'int' || length === 0) throw new Error('internal: run-time index of a copy');
  const idx = ctx.emit(e.index).v;
  const inside = b.icmp(IntPredicate.ULT, idx, ctx.constInt(length));
  const spill = b.bitcast(ctx.reusableSlot('index', 8), c.ptr(ctx.i64));
  b.store(opaqueToOptimizer(ctx, idx), spill);
  const opaque = b.load(ctx.i64, spill, 'index', true);
  const bounded = b.select(b.icmp(IntPredicate.UGT, opaque, ctx.constInt(length - 1)), ctx.constInt(length - 1), opaque);
  const it = c.int(t.bits);
  // Hidden again: knowing the offset small and the slot aligned, LLVM would turn the addition into
  // an OR, which the verifier refuses on a pointer.
  const offsetSlot = b.bitcast(ctx.reusableSlot('index_offset', 8), c.ptr(ctx.i64));
  b.store(b.binop(Opcode.Mul, bounded, ctx.constInt(t.bits / 8)), offsetSlot);
  const offset = b.load(ctx.i64, offsetSlot, 'index_offset', true);
  const p = b.bitcast(b.gep(c.int(8), target.v, [offset]), c.ptr(it));
  const v = b.intCast(b.load(it, p), ctx.i64, t.signed);
  return { type: t, v: b.select(inside, v, ctx.constInt(0)) };
}

/** `n` elements of pointer type `p`, in bytes: what `p + n` adds. */
export function scaleBy(ctx: EmitContext, n: Val, p: IntType): Val {
  const step = pointerStep(p);
  return step === 1 ? n : ctx.b.binop(Opcode.Mul, n, ctx.constInt(step));
}
