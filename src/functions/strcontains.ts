// strcontains(haystack, needle): 1 when needle occurs in haystack, else 0 (an empty needle is in
// every string), as bpftrace 0.17 returns it. A literal needle is matched unrolled at each position
// (short, and no loop for old verifiers); a needle read at run time is searched with two bounded
// loops: unrolled over two 64-byte capacities it was 4,000 comparisons and ~4 s of LLVM time.

import { IntPredicate, Opcode, type Block, type Val } from '../codegen/llvm';
import { none } from '../../common/types';
import { truthType } from '../semantic/bools';
import type { EmitContext, FunctionDef } from './types';

/**
 * for (i = 0; i < hSize && hay[i]; i++) { for (j = 0; j < nSize; j++) { if (!needle[j]) found;
 * if (i + j >= hSize || hay[i + j] != needle[j]) break; } if (j == nSize) found; } not found.
 * The counters live in stack slots (promoted to registers by LLVM); the verifier walks the
 * iterations, each bounded by a constant.
 */
export function emitSearchLoop(ctx: EmitContext, hay: Val, hSize: number, needle: Val, nSize: number, exit: (found: boolean, at: Val) => void): void {
  const { b, c, i64 } = ctx;
  const i8 = c.int(8);
  const i64p = c.ptr(i64);
  const iSlot = b.bitcast(ctx.zeroed(8, 'sc_i', true), i64p);
  const jSlot = b.bitcast(ctx.zeroed(8, 'sc_j', true), i64p);
  const k = (n: number) => ctx.constInt(n);
  const at = (p: Val, idx: Val) => b.load(i8, b.gep(i8, p, [idx]));
  const blocks = ['outer', 'outer_body', 'inner', 'inner_body', 'inner_cmp', 'inner_next', 'outer_next', 'found', 'missing'] as const;
  const bb = Object.fromEntries(blocks.map((n) => [n, b.appendBlock(ctx.fn, `sc_${n}`)])) as Record<(typeof blocks)[number], Block>;
  b.store(k(0), iSlot);
  b.br(bb.outer);
  b.positionAtEnd(bb.outer);
  const i = b.load(i64, iSlot);
  b.condBr(b.icmp(IntPredicate.ULT, i, k(hSize)), bb.outer_body, bb.missing);
  b.positionAtEnd(bb.outer_body);
  b.store(k(0), jSlot);
  b.condBr(b.icmp(IntPredicate.EQ, at(hay, i), c.constInt(i8, 0)), bb.missing, bb.inner);
  b.positionAtEnd(bb.inner);
  const j = b.load(i64, jSlot);
  b.condBr(b.icmp(IntPredicate.ULT, j, k(nSize)), bb.inner_body, bb.found);
  b.positionAtEnd(bb.inner_body);
  const n = at(needle, j);
  const pos = b.binop(Opcode.Add, b.load(i64, iSlot), j);
  const notEnd = b.icmp(IntPredicate.NE, n, c.constInt(i8, 0));
  const inHay = b.icmp(IntPredicate.ULT, pos, k(hSize));
  const more = b.appendBlock(ctx.fn, 'sc_more');
  b.condBr(notEnd, more, bb.found);
  b.positionAtEnd(more);
  b.condBr(inHay, bb.inner_cmp, bb.outer_next);
  b.positionAtEnd(bb.inner_cmp);
  b.condBr(b.icmp(IntPredicate.EQ, at(hay, pos), n), bb.inner_next, bb.outer_next);
  b.positionAtEnd(bb.inner_next);
  b.store(b.binop(Opcode.Add, b.load(i64, jSlot), k(1)), jSlot);
  b.br(bb.inner);
  b.positionAtEnd(bb.outer_next);
  b.store(b.binop(Opcode.Add, b.load(i64, iSlot), k(1)), iSlot);
  b.br(bb.outer);
  b.positionAtEnd(bb.found);
  exit(true, b.load(i64, iSlot));
  b.positionAtEnd(bb.missing);
  exit(false, k(-1));
}

export const strcontains: FunctionDef = {
  examples: [{ script: 'BEGIN { printf("%d %d\\n", strcontains("hello", "ell"), strcontains("hello", "x")); exit(); }', output: '1 0\n\n\n' }],
  name: 'strcontains',
  check(ctx, call) {
    if (call.args.length !== 2) {
      ctx.error('strcontains() takes two strings: strcontains(haystack, needle)', call);
      return none;
    }
    for (const s of call.args) {
      const t = ctx.typeOf(s);
      if (t.kind !== 'string' && t.kind !== 'none') ctx.error(`strcontains() only supports string arguments (${t.kind === 'int' ? 'integer' : t.kind} provided)`, s, 'read memory as a string first: str(ptr)');
    }
    // bpftrace 0.24+ returns a bool; 0.17 an integer.
    return truthType(ctx.options.dialect);
  },
  emit(ctx, call) {
    const { b, c } = ctx;
    const i8 = c.int(8);
    const i1 = c.int(1);
    const [hExpr, nExpr] = call.args;
    const hay = ctx.emit(hExpr);
    const needle = ctx.emit(nExpr);
    const hSize = hay.type.kind === 'string' ? hay.type.size : 0;
    // Bytes of the needle that can be non-NUL: a literal's length, else its whole capacity.
    const nLen = nExpr.kind === 'StrLit' ? Buffer.byteLength(nExpr.value, 'latin1') : needle.type.kind === 'string' ? needle.type.size : 0;
    if (nExpr.kind === 'StrLit' && nLen === 0) return { type: ctx.typeOf(call), v: ctx.constInt(1) };
    const done = b.appendBlock(ctx.fn, 'strcontains_end');
    const incoming: [Val, Block][] = [];
    const exit = (found: boolean, cond: Val | null, next: string): void => {
      incoming.push([c.constInt(i1, found ? 1 : 0), b.insertBlock]);
      if (!cond) {
        b.br(done);
        return;
      }
      const cont = b.appendBlock(ctx.fn, next);
      b.condBr(cond, done, cont);
      b.positionAtEnd(cont);
    };
    const byte = (p: Val, i: number) => b.load(i8, b.byteOffset(p, i, i8));
    const zero = c.constInt(i8, 0);
    if (nExpr.kind !== 'StrLit') {
      exit(true, b.icmp(IntPredicate.EQ, byte(needle.v, 0), zero), 'sc_nonempty');
      emitSearchLoop(ctx, hay.v, hSize, needle.v, nLen, (found) => exit(found, null, ''));
      b.positionAtEnd(done);
      return { type: ctx.typeOf(call), v: b.intCast(b.phi(i1, incoming), ctx.i64, false) };
    }
    for (let i = 0; i < hSize; i++) {
      exit(false, b.icmp(IntPredicate.EQ, byte(hay.v, i), zero), 'sc_pos');
      const nextPos = b.appendBlock(ctx.fn, 'sc_next');
      let complete = true;
      for (let j = 0; j < nLen; j++) {
        if (i + j >= hSize) {
          complete = false;
          break;
        }
        const n = byte(needle.v, j);
        const cont = b.appendBlock(ctx.fn, 'sc_match');
        b.condBr(b.icmp(IntPredicate.NE, byte(hay.v, i + j), n), nextPos, cont);
        b.positionAtEnd(cont);
      }
      // Every byte of the literal matched.
      if (complete) exit(true, null, '');
      else b.br(nextPos);
      b.positionAtEnd(nextPos);
    }
    exit(false, null, '');
    b.positionAtEnd(done);
    return { type: ctx.typeOf(call), v: b.intCast(b.phi(i1, incoming), ctx.i64, false) };
  },
};
