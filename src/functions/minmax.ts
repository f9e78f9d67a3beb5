// min(x) and max(x): per CPU a value and a "has a value" flag, so a CPU that never saw the key
// does not contribute a zero. User space takes the min/max over the CPUs that have one.

import { IntPredicate, Opcode } from '../codegen/llvm';
import type { AggType } from '../types';
import { integerArgument } from './agg-args';
import type { AggregateDef } from './types';

function extreme(name: 'min' | 'max'): AggregateDef {
  return {
    name,
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
  };
}

export const min = extreme('min');
export const max = extreme('max');
