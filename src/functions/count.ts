// count() and sum(x): one 64-bit counter per CPU, added to in place; user space adds the CPUs up.

import { Opcode } from '../codegen/llvm';
import { s64, u64, type AggType, type IntType } from '../../common/types';
import type { AggregateDef, AggregateRead, EmitContext } from './types';
import type { Val } from '../codegen/llvm';
import { numberMetrics, numberPrinting } from './agg-number';

function addTo(ctx: EmitContext, slot: Val, amount: Val): void {
  const p = ctx.b.bitcast(slot, ctx.c.ptr(ctx.i64));
  ctx.b.store(ctx.b.binop(Opcode.Add, ctx.b.load(ctx.i64, p), amount), p);
}

/** Read in a probe: the CPUs' counters added up. */
function adding(type: (t: AggType) => IntType): AggregateRead {
  return {
    type,
    step: (ctx, _t, [sum], slot) => ctx.b.store(ctx.b.binop(Opcode.Add, ctx.b.load(ctx.i64, sum), ctx.b.load(ctx.i64, ctx.b.bitcast(slot, ctx.c.ptr(ctx.i64)))), sum),
    finish: (ctx, _t, [sum]) => ctx.b.load(ctx.i64, sum),
  };
}

function sumCpus(t: AggType, perCpu: DataView[]): bigint {
  let total = 0n;
  for (const v of perCpu) total += t.signed ? v.getBigInt64(0, true) : v.getBigUint64(0, true);
  return t.signed ? BigInt.asIntN(64, total) : BigInt.asUintN(64, total);
}

export const count: AggregateDef = {
  name: 'count',
  examples: [{ script: 'BEGIN { @ = count(); @ = count(); exit(); }', output: '\n\n@: 2\n', sameAs017: true }],
  check(ctx, call) {
    if (call.args.length) ctx.error('count() takes no arguments', call.args[0]);
    return { kind: 'agg', agg: 'count', signed: false };
  },
  valueSize: () => 8,
  emitUpdate(ctx, _call, _t, slot) {
    addTo(ctx, slot, ctx.constInt(1));
  },
  combine: sumCpus,
  read: adding(() => u64),
  // An unused keyless count() still prints 0, as in bpftrace.
  ...numberPrinting(true),
  // Only ever grows (until clear()/zero(), which Prometheus reads as a counter reset).
  metrics: numberMetrics('counter', 'count()'),
};

export const sum: AggregateDef = {
  name: 'sum',
  examples: [{ script: 'BEGIN { @ = sum(5); @ = sum(-2); exit(); }', output: '\n\n@: 3\n', sameAs017: true }],
  check(ctx, call) {
    if (call.args.length !== 1) {
      ctx.error('sum() takes exactly one argument', call);
      return { kind: 'agg', agg: 'sum', signed: true };
    }
    const t = ctx.typeOf(call.args[0]);
    if (t.kind !== 'int') ctx.error(`sum() expects an integer, got ${t.kind}`, call.args[0]);
    return { kind: 'agg', agg: 'sum', signed: t.kind === 'int' ? t.signed : true };
  },
  valueSize: () => 8,
  emitUpdate(ctx, call, _t, slot) {
    addTo(ctx, slot, ctx.emit(call.args[0]).v);
  },
  combine: sumCpus,
  read: adding((t) => (t.signed ? s64 : u64)),
  ...numberPrinting(false),
  // A sum of signed values may go down: a gauge, not a counter.
  metrics: numberMetrics('gauge', 'sum()'),
};
