// IR for expressions: each expression's value as an i64 or a pointer to its bytes, following the
// types the semantic passes gave. Builtins and functions emit themselves (src/functions/).

import type { Binary, Expr, FieldAccess, Unary } from '../ast';
import { builtins, functions, type CgValue } from '../functions';
import { builtinCall } from '../functions/desugar';
import { emitKernelField } from '../functions/kernel-field';
import { arithSigned, isPointer, pointerStep, sizeOf, tupleLayout, type Type } from '../../common/types';
import { readAggregate } from './agg-read';
import type { ProbeEmitter } from './emit-context';
import { IntPredicate, Opcode, type Block, type Val } from './llvm';
import { readMap, valueSlot } from './map-access';
import { BPF_ANY, emitKey, update } from './maps';
import { emitDeref, emitIndex, readAt, scaleBy } from './pointers';
import { probeReadHelper } from './probe-read';
import { loadScalar, readVar, varSlot } from './slots';
import { elementOrder } from '../../common/records';
import { PT_REGS_SP } from '../probes/pt-regs';

/** The value of `e` (an i64, or a pointer to its bytes); an aggregation's argument is emitted once. */
export function emitExpr(em: ProbeEmitter, e: Expr): CgValue {
  const done = em.evaluated.get(e);
  if (done) return done;
  const { b, c } = em;
  const t = em.typeOf(e);
  switch (e.kind) {
    case 'IntLit':
      return { type: t, v: em.constInt(e.value) };
    case 'BoolLit':
      return { type: t, v: em.constInt(e.value ? 1 : 0) };
    case 'StrLit':
      return em.stringConstant(e.value);
    case 'Builtin':
      if (e.name === 'args' || (e.name === 'ctx' && t.kind === 'args')) return { type: t, v: em.ctxArg };
      if (em.a.constants.has(e)) return { type: t, v: em.constInt(em.a.constants.get(e)!) }; // a BTF enumerator
      return builtins.get(e.name)!.emit(em, e);
    case 'Variable':
      return readVar(em, e.name, t);
    case 'MapRef': {
      const { info, global } = em.g.map(`@${e.name}`);
      if (info.aggregate) return readAggregate(em, info, global, emitKey(em, info, e.keys));
      return readMap(em, info, global, emitKey(em, info, e.keys), e);
    }
    case 'Call':
      return (functions.get(e.name) ?? builtinCall(e.name, (n) => builtins.has(n)))!.emit(em, e);
    case 'Binary':
      return binary(em, e, t);
    case 'Unary': {
      if (e.op.length > 1) return step(em, e, t);
      if (e.op === '*') return emitDeref(em, e);
      if (e.op === '&' && e.operand.kind === 'Variable') return { type: t, v: b.ptrToInt(varSlot(em, e.operand.name), em.i64) };
      const x = emitExpr(em, e.operand).v;
      if (e.op === '-') return { type: t, v: b.neg(x) };
      if (e.op === '~') return { type: t, v: b.not(x) };
      if (e.op === '!') return { type: t, v: em.bool(b.icmp(IntPredicate.EQ, x, em.constInt(0))) };
      throw new Error(`internal: unary ${e.op}`);
    }
    case 'Ternary': {
      const yes = b.appendBlock(em.parts.fn, 'tern_then');
      const no = b.appendBlock(em.parts.fn, 'tern_else');
      const done = b.appendBlock(em.parts.fn, 'tern_end');
      b.condBr(em.truthy(emitExpr(em, e.cond).v), yes, no);
      b.positionAtEnd(yes);
      const a = ternaryBranch(em, e.then, t);
      const aEnd = b.insertBlock;
      b.br(done);
      b.positionAtEnd(no);
      const z = ternaryBranch(em, e.else, t);
      const zEnd = b.insertBlock;
      b.br(done);
      b.positionAtEnd(done);
      return { type: t, v: b.phi(c.typeOf(a), [[a, aEnd], [z, zEnd]]) };
    }
    case 'FieldAccess': {
      const kernel = em.a.kernelFields.get(e);
      if (kernel) return emitKernelField(em, e, kernel);
      // A record's element by name (common/records.ts).
      if (em.typeOf(e.target).kind === 'tuple') return tupleElement(em, e.target, em.a.constants.get(e)!, t);
      return field(em, e, t);
    }
    case 'Positional':
      if (em.a.loadTimePositionals !== undefined) return { type: t, v: em.config(e.count ? 'argc' : `arg${e.index}`) };
      // Only a text argument is still a Positional (positionals.ts inlined the rest).
      return em.stringConstant(em.a.positionals[e.index - 1]);
    case 'Cast': {
      const v = emitExpr(em, e.operand).v;
      const from = em.typeOf(e.operand);
      if (t.kind === 'bool') return { type: t, v: em.bool(em.truthy(from.kind === 'string' ? b.intCast(b.load(c.int(8), v), em.i64, false) : v)) };
      // An integer's bytes as an array, and an array's bytes as an integer (little-endian).
      if (t.kind === 'string' && (from.kind === 'int' || from.kind === 'bool')) {
        const buf = em.zeroed(t.size, 'arrcast');
        em.storeValue({ type: from, v }, buf, from.kind === 'int' ? from : { kind: 'int', bits: 8, signed: false });
        return { type: t, v: buf };
      }
      if (t.kind === 'int' && from.kind === 'string') return { type: t, v: loadScalar(em, v, t) };
      if (t.kind !== 'int' || t.bits === 64) return { type: t, v };
      const narrow = b.intCast(v, c.int(t.bits), false);
      return { type: t, v: b.intCast(narrow, em.i64, t.signed) };
    }
    case 'Sizeof':
    case 'Offsetof':
      return { type: t, v: em.constInt(em.a.constants.get(e)!) };
    case 'Tuple':
    case 'Record': {
      if (t.kind !== 'tuple') throw new Error('internal: tuple type');
      const buf = em.zeroed(Math.max(1, sizeOf(t)), 'tuple');
      const { offsets } = tupleLayout(t);
      // Elements are evaluated in the order written.
      const elems = e.kind === 'Tuple' ? e.elems : e.fields.map((f) => f.value);
      elems.forEach((x, i) => em.storeValue(emitExpr(em, x), b.byteOffset(buf, offsets[i], c.int(8)), t.elems[i]));
      return { type: t, v: buf };
    }
    case 'Index':
      if (em.typeOf(e.target).kind === 'tuple') return tupleElement(em, e.target, em.a.constants.get(e.index)!, t);
      return emitIndex(em, e, em.a.constants.get(e.index), em.a.kernelFields.get(e.target));
    case 'TupleAccess':
      return tupleElement(em, e.target, e.index, t);
    default:
      throw new Error(`internal: expression ${e.kind} reached codegen`);
  }
}

/** Element `n` of a tuple (`t.0`, `t[0]`): a scalar loaded, anything else its place in the tuple. */
function tupleElement(em: ProbeEmitter, target: Expr, n: number, t: Type): CgValue {
  const tt = em.typeOf(target);
  if (tt.kind !== 'tuple') throw new Error('internal: tuple access');
  const p = em.b.byteOffset(emitExpr(em, target).v, tupleLayout(tt).offsets[n], em.c.int(8));
  if (t.kind === 'int' || t.kind === 'bool') return { type: t, v: loadScalar(em, p, t) };
  return { type: t, v: p };
}

/** A tracepoint field: integers load straight from the context; arrays are copied out. A uprobe
 * parameter is in registers or on the user stack (src/probes/uprobe-args.ts). */
function field(em: ProbeEmitter, e: FieldAccess, t: Type): CgValue {
  const { b, c } = em;
  const { field: f, type: ft } = em.p.argFields.get(e)!;
  if (f.regs) {
    // A struct passed in registers: copied out of pt_regs eightbyte by eightbyte, then read like
    // any struct copy.
    const buf = em.zeroed(f.regs.length * 8, 'regs');
    f.regs.forEach((off, i) => b.store(b.load(em.i64, b.byteOffset(em.ctxArg, off, em.i64)), b.byteOffset(buf, i * 8, em.i64)));
    return { type: t, v: b.ptrToInt(buf, em.i64) };
  }
  if (f.stack) {
    // On the user stack, above the stack pointer saved in pt_regs.
    const sp = b.load(em.i64, b.byteOffset(em.ctxArg, PT_REGS_SP, em.i64));
    return readAt(em, b.binop(Opcode.Add, sp, em.constInt(f.offset)), t, 'user');
  }
  if (ft.kind === 'int' && f.copied) {
    const slot = em.zeroed(8, 'field');
    b.helper(probeReadHelper('kernel'), em.i64, [em.i8p, c.int(32), em.i8p], [slot, c.constInt(c.int(32), f.size), b.byteOffset(em.ctxArg, f.offset, c.int(8))]);
    const it = c.int(ft.bits);
    return { type: t, v: b.intCast(b.load(it, b.bitcast(slot, c.ptr(it))), em.i64, ft.signed) };
  }
  if (ft.kind === 'int') {
    const it = c.int(ft.bits);
    const v = b.load(it, b.byteOffset(em.ctxArg, f.offset, it));
    return { type: t, v: b.intCast(v, em.i64, ft.signed) };
  }
  const buf = em.zeroed(sizeOf(ft), 'field');
  b.helper(probeReadHelper('kernel'), em.i64, [em.i8p, c.int(32), em.i8p], [buf, c.constInt(c.int(32), f.size), b.byteOffset(em.ctxArg, f.offset, c.int(8))]);
  return { type: t, v: buf };
}

function binary(em: ProbeEmitter, e: Binary, t: Type): CgValue {
  const { b } = em;
  if (e.op === '&&' || e.op === '||') {
    const f = em.parts.fn;
    const l = em.truthy(emitExpr(em, e.left).v);
    const lEnd = b.insertBlock;
    const rhs = b.appendBlock(f, e.op === '&&' ? 'and_rhs' : 'or_rhs');
    const done = b.appendBlock(f, 'logic_end');
    if (e.op === '&&') b.condBr(l, rhs, done);
    else b.condBr(l, done, rhs);
    b.positionAtEnd(rhs);
    const r = em.truthy(emitExpr(em, e.right).v);
    const rEnd = b.insertBlock;
    b.br(done);
    b.positionAtEnd(done);
    const short = em.c.constInt(em.c.int(1), e.op === '&&' ? 0 : 1);
    return { type: t, v: em.bool(b.phi(em.c.int(1), [[short, lEnd], [r, rEnd]])) };
  }
  const lt = em.typeOf(e.left);
  const rt = em.typeOf(e.right);
  const l = emitExpr(em, e.left).v;
  const r = emitExpr(em, e.right).v;
  if ((lt.kind === 'string' && rt.kind === 'string') || (lt.kind === 'tuple' && rt.kind === 'tuple')) {
    const eq = valuesEqual(em, l, lt, r, rt);
    return { type: t, v: em.bool(e.op === '==' ? eq : b.not(eq)) };
  }
  return { type: t, v: arith(em, e.op, l, r, lt, rt) };
}

/** Whether two values of the same shape are equal (an i1): strings as strncmp, tuples element by element. */
function valuesEqual(em: ProbeEmitter, a: Val, at: Type, z: Val, zt: Type): Val {
  const { b, c } = em;
  if (at.kind === 'string' && zt.kind === 'string') return stringsEqual(em, a, z, Math.min(at.size, zt.size));
  if (at.kind === 'tuple' && zt.kind === 'tuple') {
    const ao = tupleLayout(at).offsets;
    const zo = tupleLayout(zt).offsets;
    const order = elementOrder(at, zt);
    let all = c.constInt(c.int(1), 1);
    at.elems.forEach((et, i) => {
      const j = order[i];
      const x = b.byteOffset(a, ao[i], c.int(8));
      const y = b.byteOffset(z, zo[j], c.int(8));
      const scalar = (p: Val, t: Type) => (t.kind === 'int' || t.kind === 'bool' ? loadScalar(em, p, t) : p);
      all = b.binop(Opcode.And, all, valuesEqual(em, scalar(x, et), et, scalar(y, zt.elems[j]), zt.elems[j]));
    });
    return all;
  }
  return b.icmp(IntPredicate.EQ, a, z);
}

/**
 * String equality as C's strncmp(a, b, n) == 0, unrolled byte by byte: bounded, so the verifier
 * accepts it on any kernel, and it stops at the first difference or the common terminator.
 */
function stringsEqual(em: ProbeEmitter, a: Val, b8: Val, n: number): Val {
  const { b, c } = em;
  const i8 = c.int(8);
  const i1 = c.int(1);
  const done = b.appendBlock(em.parts.fn, 'streq_end');
  const incoming: [Val, Block][] = [];
  for (let i = 0; i < n; i++) {
    const x = b.load(i8, b.byteOffset(a, i, i8));
    const y = b.load(i8, b.byteOffset(b8, i, i8));
    const differ = b.icmp(IntPredicate.NE, x, y);
    const same = b.appendBlock(em.parts.fn, 'streq_same');
    incoming.push([c.constInt(i1, 0), b.insertBlock]);
    b.condBr(differ, done, same);
    b.positionAtEnd(same);
    const ended = b.icmp(IntPredicate.EQ, x, c.constInt(i8, 0));
    const next = b.appendBlock(em.parts.fn, 'streq_next');
    incoming.push([c.constInt(i1, 1), b.insertBlock]);
    b.condBr(ended, done, next);
    b.positionAtEnd(next);
  }
  incoming.push([c.constInt(i1, 1), b.insertBlock]);
  b.br(done);
  b.positionAtEnd(done);
  return b.phi(i1, incoming);
}

/** A binary operator on two integers (pointer ± n scaled by the element size), with C's signedness. */
export function arith(em: ProbeEmitter, op: Binary['op'], l: Val, r: Val, lt: Type, rt: Type): Val {
  const { b } = em;
  const signed = lt.kind === 'int' && rt.kind === 'int' ? arithSigned(lt, rt) : false;
  // Pointer ± n moves by n elements, as in C.
  if ((op === '+' || op === '-') && isPointer(lt) !== isPointer(rt)) {
    if (isPointer(lt)) r = scaleBy(em, r, lt);
    else if (isPointer(rt)) l = scaleBy(em, l, rt);
  }
  const cmp = (s: IntPredicate, u: IntPredicate) => em.bool(b.icmp(signed ? s : u, l, r));
  switch (op) {
    case '+': return b.binop(Opcode.Add, l, r);
    case '-': return b.binop(Opcode.Sub, l, r);
    case '*': return b.binop(Opcode.Mul, l, r);
    case '/': return signed ? signedDivRem(em, '/', l, r) : unsignedDivRem(em, '/', l, r);
    case '%': return signed ? signedDivRem(em, '%', l, r) : unsignedDivRem(em, '%', l, r);
    case '<<': return b.binop(Opcode.Shl, l, r);
    case '>>': return b.binop(signed ? Opcode.AShr : Opcode.LShr, l, r);
    case '&': return b.binop(Opcode.And, l, r);
    case '|': return b.binop(Opcode.Or, l, r);
    case '^': return b.binop(Opcode.Xor, l, r);
    case '==': return em.bool(b.icmp(IntPredicate.EQ, l, r));
    case '!=': return em.bool(b.icmp(IntPredicate.NE, l, r));
    case '<': return cmp(IntPredicate.SLT, IntPredicate.ULT);
    case '<=': return cmp(IntPredicate.SLE, IntPredicate.ULE);
    case '>': return cmp(IntPredicate.SGT, IntPredicate.UGT);
    case '>=': return cmp(IntPredicate.SGE, IntPredicate.UGE);
    default: throw new Error(`internal: operator ${op}`);
  }
}

/**
 * Signed `/` and `%` through unsigned ones: the BPF target of LLVM 14 cannot select sdiv/srem
 * (cpu v4's signed division needs kernel 6.6), and aborts on them. C's rounding toward zero:
 * the quotient is negative when the signs differ, the remainder takes the dividend's sign.
 * Division by zero gives BPF's answers (quotient 0, remainder the dividend).
 */
function signedDivRem(em: ProbeEmitter, op: '/' | '%', l: Val, r: Val): Val {
  const { b } = em;
  const zero = em.constInt(0);
  const lNeg = b.icmp(IntPredicate.SLT, l, zero);
  const rNeg = b.icmp(IntPredicate.SLT, r, zero);
  const la = b.select(lNeg, b.binop(Opcode.Sub, zero, l), l);
  const ra = b.select(rNeg, b.binop(Opcode.Sub, zero, r), r);
  if (op === '/') {
    const q = unsignedDivRem(em, '/', la, ra);
    return b.select(b.binop(Opcode.Xor, lNeg, rNeg), b.binop(Opcode.Sub, zero, q), q);
  }
  const m = unsignedDivRem(em, '%', la, ra);
  return b.select(lNeg, b.binop(Opcode.Sub, zero, m), m);
}

/**
 * Unsigned `/` and `%` with BPF's answers for a zero divisor (quotient 0, remainder the dividend)
 * spelled out: to LLVM a division by zero is undefined behaviour, and it deletes the paths that
 * could divide by a zero read from a missing map entry, leaving code the verifier rejects.
 */
function unsignedDivRem(em: ProbeEmitter, op: '/' | '%', l: Val, r: Val): Val {
  const { b } = em;
  const isZero = b.icmp(IntPredicate.EQ, r, em.constInt(0));
  const divisor = b.select(isZero, em.constInt(1), r);
  if (op === '/') return b.select(isZero, em.constInt(0), b.binop(Opcode.UDiv, l, divisor));
  return b.select(isZero, l, b.binop(Opcode.URem, l, divisor));
}

/** `++`/`--`, before or after: the variable or map entry changes, the old or new value results. */
function step(em: ProbeEmitter, e: Unary, t: Type): CgValue {
  const { b } = em;
  const step = isPointer(t) ? pointerStep(t) : 1;
  const delta = em.constInt(e.op.startsWith('++') ? step : -step);
  const post = e.op.endsWith('post');
  const target = e.operand;
  if (target.kind === 'Variable') {
    const slot = b.bitcast(varSlot(em, target.name), em.c.ptr(em.i64));
    const old = b.load(em.i64, slot);
    const next = b.binop(Opcode.Add, old, delta);
    b.store(next, slot);
    return { type: t, v: post ? old : next };
  }
  if (target.kind !== 'MapRef') throw new Error('internal: ++ target');
  const { info, global } = em.g.map(`@${target.name}`);
  const key = emitKey(em, info, target.keys);
  const old = readMap(em, info, global, key);
  const next = b.binop(Opcode.Add, old.v, delta);
  const buf = valueSlot(em, info.valueType);
  em.storeValue({ type: info.valueType, v: next }, buf, info.valueType);
  em.countMapFull(update(em, global, key, buf, BPF_ANY));
  return { type: t, v: post ? old.v : next };
}

/**
 * One arm of a ternary, as a value of the whole ternary's type: a string shorter than the other
 * arm's is copied into a buffer of the full size, since whoever reads the result (a comparison,
 * a map key) reads that many bytes, and the verifier refuses a read past the shorter buffer.
 */
function ternaryBranch(em: ProbeEmitter, arm: Expr, t: Type): Val {
  const v = emitExpr(em, arm);
  if (t.kind !== 'string' || v.type.kind !== 'string' || sizeOf(v.type) >= sizeOf(t)) return v.v;
  const buf = em.zeroed(sizeOf(t), 'tern');
  em.storeValue(v, buf, t);
  return buf;
}
