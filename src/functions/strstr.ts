// strstr(haystack, needle) (bpftrace 0.25+ standard library): the index of the first occurrence
// of needle in haystack, -1 when there is none; an empty needle is at 0. Searched in the probe
// with strcontains()'s bounded loops.

import { IntPredicate, type Block, type Val } from '../codegen/llvm';
import { none, s64 } from '../../common/types';
import { emitSearchLoop } from './strcontains';
import type { FunctionDef } from './types';

export const strstr: FunctionDef = {
  examples: [{ script: 'BEGIN { printf("%d %d\\n", strstr("hello", "ll"), strstr("hello", "x")); exit(); }', output: '2 -1\n\n\n' }],
  name: 'strstr',
  check(ctx, call) {
    if (call.args.length !== 2) {
      ctx.error('strstr() takes two strings: strstr(haystack, needle)', call);
      return none;
    }
    for (const s of call.args) {
      const t = ctx.typeOf(s);
      if (t.kind !== 'string' && t.kind !== 'none') ctx.error(`strstr() takes strings, got ${t.kind === 'int' ? 'an integer' : t.kind}`, s, 'read memory as a string first: str(ptr)');
    }
    return s64;
  },
  emit(ctx, call) {
    const { b, c, i64 } = ctx;
    const i8 = c.int(8);
    const hay = ctx.emit(call.args[0]);
    const needle = ctx.emit(call.args[1]);
    const size = (v: typeof hay) => (v.type.kind === 'string' ? v.type.size : 0);
    const done = b.appendBlock(ctx.fn, 'strstr_end');
    const search = b.appendBlock(ctx.fn, 'strstr_search');
    const incoming: [Val, Block][] = [[ctx.constInt(0), b.insertBlock]];
    b.condBr(b.icmp(IntPredicate.EQ, b.load(i8, needle.v), c.constInt(i8, 0)), done, search);
    b.positionAtEnd(search);
    emitSearchLoop(ctx, hay.v, size(hay), needle.v, size(needle), (_found, at) => {
      incoming.push([at, b.insertBlock]);
      b.br(done);
    });
    b.positionAtEnd(done);
    return { type: s64, v: b.phi(i64, incoming) };
  },
};
