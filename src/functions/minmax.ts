// min(x) and max(x): per CPU a value and a "has a value" flag, so a CPU that never saw the key
// does not contribute a zero. User space takes the min/max over the CPUs that have one.

import { IntPredicate, Opcode } from '../codegen/llvm';
import { s64, type AggType } from '../../common/types';
import { integerArgument } from './agg-args';
import type { AggregateDef } from './types';
import { numberMetrics, numberPrinting } from './agg-number';

function extreme(name: 'min' | 'max'): AggregateDef {
  return {
    name,
    ...numberPrinting(false),
    metrics: numberMetrics('gauge', `${name}()`),
    check: (ctx, call) => (integerArgument(ctx, call), { kind: 'agg', agg: name, signed: true }),
    valueSize: () => 16,
    emitUpdate(ctx, call, t, slot) {
      const { b, c, i64 } = ctx;
      const x = ctx.emit(call.args[0]).v;
      const vp = b.bitcast(slot, c.ptr(i64));
      const hp = b.byteOffset(slot, 8, i64);
      const cur = b.load(i64, vp);
      const signed = t.kind === 'agg' && t.signed;
      const pred = name === 'min' ? (signed ? IntPredicate.SLT : IntPredicate.ULT) : signed ? IntPredicate.SGT : IntPredicate.UGT;
      const empty = b.icmp(IntPredicate.EQ, b.load(i64, hp), ctx.constInt(0));
      const better = b.binop(Opcode.Or, empty, b.icmp(pred, x, cur));
      b.store(b.select(better, x, cur), vp);
      b.store(ctx.constInt(1), hp);
    },
    combine(t: AggType, perCpu) {
      let best: bigint | null = null;
      for (const v of perCpu) {
        if (v.getBigUint64(8, true) === 0n) continue;
        const x = t.signed ? v.getBigInt64(0, true) : v.getBigUint64(0, true);
        if (best === null || (name === 'min' ? x < best : x > best)) best = x;
      }
      return best ?? 0n;
    },
    read: {
      type: () => s64,
      // As combine() above: the best value among the CPUs that have one (acc[1] says one was found).
      step(ctx, t, [best, found], slot) {
        const { b, c, i64 } = ctx;
        const x = b.load(i64, b.bitcast(slot, c.ptr(i64)));
        const has = b.icmp(IntPredicate.NE, b.load(i64, b.byteOffset(slot, 8, i64)), ctx.constInt(0));
        const signed = t.signed;
        const pred = name === 'min' ? (signed ? IntPredicate.SLT : IntPredicate.ULT) : signed ? IntPredicate.SGT : IntPredicate.UGT;
        const cur = b.load(i64, best);
        const first = b.icmp(IntPredicate.EQ, b.load(i64, found), ctx.constInt(0));
        const take = b.binop(Opcode.And, has, b.binop(Opcode.Or, first, b.icmp(pred, x, cur)));
        b.store(b.select(take, x, cur), best);
        b.store(b.select(has, ctx.constInt(1), b.load(i64, found)), found);
      },
      finish: (ctx, _t, [best]) => ctx.b.load(ctx.i64, best),
    },
  };
}

export const min: AggregateDef = { ...extreme('min'), examples: [{ script: 'BEGIN { @ = min(3); @ = min(-1); exit(); }', output: '\n\n@: -1\n', sameAs017: true }] };
export const max: AggregateDef = { ...extreme('max'), examples: [{ script: 'BEGIN { @ = max(3); @ = max(7); exit(); }', output: '\n\n@: 7\n', sameAs017: true }] };
