// Byte-wise string comparison IR shared by strncmp and strcontains.

import { IntPredicate } from '../codegen/llvm';
import type { Block, Val } from '../codegen/llvm';
import type { EmitContext } from './types';

/**
 * C's strncmp(a, b, n) == 0 as an i1, unrolled byte by byte: bounded, so the verifier accepts it on
 * any kernel, and it stops at the first difference or the common terminator.
 */
export function emitStringsEqual(ctx: EmitContext, a: Val, bp: Val, n: number): Val {
  const { b, c } = ctx;
  const i8 = c.int(8);
  const i1 = c.int(1);
  const done = b.appendBlock(ctx.fn, 'streq_end');
  const incoming: [Val, Block][] = [];
  for (let i = 0; i < n; i++) {
    const x = b.load(i8, b.byteOffset(a, i, i8));
    const y = b.load(i8, b.byteOffset(bp, i, i8));
    const same = b.appendBlock(ctx.fn, 'streq_same');
    incoming.push([c.constInt(i1, 0), b.insertBlock]);
    b.condBr(b.icmp(IntPredicate.NE, x, y), done, same);
    b.positionAtEnd(same);
    const next = b.appendBlock(ctx.fn, 'streq_next');
    incoming.push([c.constInt(i1, 1), b.insertBlock]);
    b.condBr(b.icmp(IntPredicate.EQ, x, c.constInt(i8, 0)), done, next);
    b.positionAtEnd(next);
  }
  incoming.push([c.constInt(i1, 1), b.insertBlock]);
  b.br(done);
  b.positionAtEnd(done);
  return b.phi(i1, incoming);
}
