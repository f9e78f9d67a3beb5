// hist(x): power-of-two buckets; lhist(x, min, max, step): linear buckets. Per CPU an array of
// u64 counters in the layout common/format/hist.ts documents; the bucket index is computed with
// selects only, and clamped once more where the optimiser cannot see, so the verifier sees it
// bounded.

import { IntPredicate, Opcode, type Val } from '../codegen/llvm';
import type { AggType } from '../../common/types';
import { bucketTotal, histLabel, histRange, histRange026, jsonBuckets, lhistLabel, lhistLabel026, lhistRange, renderBuckets } from '../../common/format/hist';
import { integerArgument, literalArgument } from './agg-args';
import type { AggregateDef, EmitContext } from './types';
import { opaqueToOptimizer } from '../codegen/opaque';
import { FINE_MAX_K, fineBound, fineBucketCount, fineLabel, fineRange } from '../../common/format/hist-fine';

const HIST_BUCKETS = 66;

/** How maps of histograms print: sorted by their total count, each entry its own bucket lines. */
const histogramPrinting = {
  sortKey: (v: unknown) => bucketTotal(v as readonly bigint[]),
  jsonKind: 'hist',
  layout: 'histogram',
  printsWhenZero: false,
  tiesByKeyBytes: true,
} as const;

function bump(ctx: EmitContext, slot: Val, index: Val, buckets: number): void {
  const { b, c, i64 } = ctx;
  // LLVM drops a clamp it can prove redundant (a value bounded by a loop condition, or lhist of a
  // masked value whose quotient is known small), and the verifier, which cannot follow division
  // or log2, then sees an unbounded offset: the last clamp is applied to a copy LLVM cannot see
  // through. llvm.bpf.passthrough alone is not enough: the backend removes it before instruction
  // selection, which folds the clamp again by known bits; a volatile reload it cannot look through.
  const spill = b.bitcast(ctx.reusableSlot('bucket', 8), c.ptr(i64));
  b.store(opaqueToOptimizer(ctx, index), spill);
  const opaque = b.load(i64, spill, 'bucket', true);
  const last = ctx.constInt(buckets - 1);
  const bounded = b.select(b.icmp(IntPredicate.UGT, opaque, last), last, opaque);
  const p = b.gep(i64, b.bitcast(slot, c.ptr(i64)), [bounded]);
  b.store(b.binop(Opcode.Add, b.load(i64, p), ctx.constInt(1)), p);
}

function sumBuckets(n: number, perCpu: DataView[]): bigint[] {
  const out = new Array<bigint>(n).fill(0n);
  for (const v of perCpu) for (let i = 0; i < n; i++) out[i] += v.getBigUint64(i * 8, true);
  return out;
}

/** floor(log2(x)) for x > 0, by halving the search range six times. */
function log2(ctx: EmitContext, x: Val): Val {
  const { b } = ctx;
  let n = x;
  let l = ctx.constInt(0);
  for (const shift of [32, 16, 8, 4, 2, 1]) {
    const big = b.icmp(IntPredicate.UGE, n, ctx.constInt(1n << BigInt(shift)));
    n = b.select(big, b.binop(Opcode.LShr, n, ctx.constInt(shift)), n);
    l = b.select(big, b.binop(Opcode.Add, l, ctx.constInt(shift)), l);
  }
  return l;
}

/** hist(x, k)'s k (0 when absent): each power of two in 2^k buckets (common/format/hist-fine.ts). */
const fineOf = (t: AggType | { kind: string }): number => ('fine' in t && t.fine ? Number(t.fine) : 0);

export const hist: AggregateDef = {
  name: 'hist',
  examples: [{ script: 'BEGIN { @ = hist(3); @ = hist(12); exit(); }', output: '\n\n@: \n[2, 4)                 1 |@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@|\n[4, 8)                 0 |                                                    |\n[8, 16)                1 |@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@|\n\n', sameAs017: true }],
  check(ctx, call) {
    integerArgument(ctx, call, call.args.length === 2 ? 2 : 1);
    if (call.args.length !== 2) return { kind: 'agg', agg: 'hist', signed: true };
    // hist(x, k) (bpftrace 0.22+); hist(x, 0) is hist(x).
    const k = literalArgument(ctx, call, 1, 'k');
    if (k !== null && (k < 0n || k > BigInt(FINE_MAX_K))) ctx.error(`hist: bits ${k} must be 0..${FINE_MAX_K}`, call.args[1], 'k splits each power of two into 2^k buckets');
    return k ? { kind: 'agg', agg: 'hist', signed: true, fine: k } : { kind: 'agg', agg: 'hist', signed: true };
  },
  valueSize: (t) => (fineOf(t) ? fineBucketCount(fineOf(t)) : HIST_BUCKETS) * 8,
  emitUpdate(ctx, call, t, slot) {
    const { b } = ctx;
    const x = ctx.emit(call.args[0]).v;
    const k = fineOf(t);
    if (k) return bump(ctx, slot, fineIndex(ctx, x, k), fineBucketCount(k));
    const positive = b.binop(Opcode.Add, log2(ctx, x), ctx.constInt(2));
    let index = b.select(b.icmp(IntPredicate.EQ, x, ctx.constInt(0)), ctx.constInt(1), positive);
    if (t.kind === 'agg' && t.signed) index = b.select(b.icmp(IntPredicate.SLT, x, ctx.constInt(0)), ctx.constInt(0), index);
    bump(ctx, slot, index, HIST_BUCKETS);
  },
  combine: (t, perCpu) => sumBuckets(fineOf(t) ? fineBucketCount(fineOf(t)) : HIST_BUCKETS, perCpu),
  ...histogramPrinting,
  text: (v, t, div) => renderBuckets(v as readonly bigint[], fineOf(t) ? (i) => fineLabel(i, fineOf(t)) : histLabel, div),
  json: (v, t, div) => (fineOf(t) ? jsonBuckets(v as readonly bigint[], (i) => fineRange(i, fineOf(t)), div, ',') : jsonBuckets(v as readonly bigint[], histRange, div)),
  jsonIn: { '0.26': (v, t, div) => jsonBuckets(v as readonly bigint[], fineOf(t) ? (i) => fineRange(i, fineOf(t)) : histRange026, div, ',') },
  typeName: (t) => (fineOf(t) ? `hist(${fineOf(t)})` : 'hist'),
  // Values are integers, so a bucket [2^k, 2^(k+1)) holds exactly the values <= 2^(k+1) - 1: the
  // bounds are exact. Most of the 66 buckets of a map never fill: trimmed to the used range.
  metrics: {
    type: 'histogram',
    le: (t) => (fineOf(t) ? Array.from({ length: fineBucketCount(fineOf(t)) - 1 }, (_, i) => fineBound(i, fineOf(t)) - 1n) : HIST_LE),
    counts: (v) => v as readonly bigint[],
    trim: true,
  },
};

/**
 * hist(x, k)'s bucket (the layout in common/format/hist-fine.ts): 0 for x < 0, 1 + x below 2^k, else
 * 1 + ((p - k + 1) << k) + the k bits after x's top bit, p that bit's position.
 */
function fineIndex(ctx: EmitContext, x: Val, k: number): Val {
  const { b } = ctx;
  const mask = ctx.constInt((1 << k) - 1);
  const l = b.binop(Opcode.Sub, log2(ctx, x), ctx.constInt(k));
  const bits = b.binop(Opcode.And, b.binop(Opcode.LShr, x, l), mask);
  const high = b.binop(Opcode.Add, b.binop(Opcode.Add, b.binop(Opcode.Shl, b.binop(Opcode.Add, l, ctx.constInt(1)), ctx.constInt(k)), bits), ctx.constInt(1));
  const low = b.select(b.icmp(IntPredicate.ULE, x, mask), b.binop(Opcode.Add, x, ctx.constInt(1)), high);
  return b.select(b.icmp(IntPredicate.SLT, x, ctx.constInt(0)), ctx.constInt(0), low);
}

/** Inclusive upper bounds of hist's buckets but the last: (..., 0) is <= -1, [0] <= 0, [1] <= 1, [2, 4) <= 3 … */
const HIST_LE: readonly bigint[] = Array.from({ length: HIST_BUCKETS - 1 }, (_, i) => (i === 0 ? -1n : i === 1 ? 0n : (1n << BigInt(i - 1)) - 1n));

/** lhist's literal arguments, kept in its type. */
function bounds(t: AggType): { min: bigint; max: bigint; step: bigint } {
  return { min: t.min ?? 0n, max: t.max ?? 1n, step: t.step ?? 1n };
}

function lhistBuckets(t: AggType): number {
  const { min, max, step } = bounds(t);
  return Number((max - min) / step) + 2;
}

/** The counts of lhist's own buckets (a value read back may be longer). */
function ownBuckets(v: unknown, t: AggType): readonly bigint[] {
  const counts = v as readonly bigint[];
  const n = lhistBuckets(t);
  return counts.length > n ? counts.slice(0, n) : counts;
}

export const lhist: AggregateDef = {
  name: 'lhist',
  examples: [{ script: 'BEGIN { @ = lhist(7, 0, 20, 5); @ = lhist(12, 0, 20, 5); exit(); }', output: '\n\n@: \n[5, 10)                1 |@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@|\n[10, 15)               1 |@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@|\n\n', sameAs017: true }],
  check(ctx, call) {
    integerArgument(ctx, call, 4);
    const signed = true;
    const lo = literalArgument(ctx, call, 1, 'min');
    const hi = literalArgument(ctx, call, 2, 'max');
    const step = literalArgument(ctx, call, 3, 'step');
    const t: AggType = { kind: 'agg', agg: 'lhist', signed, min: lo ?? 0n, max: hi ?? 1n, step: step ?? 1n };
    if (lo !== null && hi !== null && step !== null) {
      if (lo < 0n) ctx.error('lhist(): min must be non-negative', call.args[1]);
      else if (hi <= lo) ctx.error('lhist(): max must be greater than min', call.args[2]);
      else if (step <= 0n) ctx.error('lhist(): step must be positive', call.args[3]);
      else if ((hi - lo) / step > 1000n) ctx.error('lhist(): too many buckets (at most 1000)', call, 'raise the step');
    }
    return t;
  },
  valueSize: (t) => lhistBuckets(t) * 8,
  emitUpdate(ctx, call, t0, slot) {
    const t = { ...t0, ...bounds(t0) };
    const { b } = ctx;
    const x = ctx.emit(call.args[0]).v;
    const n = lhistBuckets(t);
    const signed = t.signed;
    const below = b.icmp(signed ? IntPredicate.SLT : IntPredicate.ULT, x, ctx.constInt(t.min));
    // The last full bucket ends at min + n*step, which is below max when step does not divide the
    // range; bpftrace counts everything from there on as [max, ...).
    const top = t.min + BigInt(n - 2) * t.step;
    const above = b.icmp(signed ? IntPredicate.SGE : IntPredicate.UGE, x, ctx.constInt(top));
    const inner = b.binop(Opcode.Add, b.binop(Opcode.UDiv, b.binop(Opcode.Sub, x, ctx.constInt(t.min)), ctx.constInt(t.step)), ctx.constInt(1));
    // Clamp again so the verifier can prove the index stays inside the value.
    const clamped = b.select(b.icmp(IntPredicate.UGT, inner, ctx.constInt(n - 2)), ctx.constInt(n - 2), inner);
    const index = b.select(below, ctx.constInt(0), b.select(above, ctx.constInt(n - 1), clamped));
    bump(ctx, slot, index, n);
  },
  combine: (t, perCpu) => sumBuckets(lhistBuckets(t), perCpu),
  ...histogramPrinting,
  // As bpftrace 0.17 does, print()'s div does not apply to lhist.
  text(v, t) {
    const { min, max, step } = bounds(t);
    const n = lhistBuckets(t);
    return renderBuckets(ownBuckets(v, t), (i) => lhistLabel(i, n, min, max, step), 1n);
  },
  textIn: {
    '0.26': (v, t) => {
      const { min, max, step } = bounds(t);
      const n = lhistBuckets(t);
      return renderBuckets(ownBuckets(v, t), (i) => lhistLabel026(i, n, min, max, step), 1n);
    },
  },
  json(v, t) {
    const { min, max, step } = bounds(t);
    const n = lhistBuckets(t);
    return jsonBuckets(ownBuckets(v, t), (i) => lhistRange(i, n, min, max, step), 1n);
  },
  jsonIn: {
    // 0.26's open top bucket starts where the last full bucket ends.
    '0.26': (v, t) => {
      const { min, max, step } = bounds(t);
      const n = lhistBuckets(t);
      const top = min + BigInt(n - 2) * step;
      return jsonBuckets(ownBuckets(v, t), (i) => (i === n - 1 ? [top, null] : lhistRange(i, n, min, max, step)), 1n, ',');
    },
  },
  typeName(t) {
    const { min, max, step } = bounds(t);
    return `lhist(${min}, ${max}, ${step})`;
  },
  // Each bucket [lo, lo + step) holds the integers <= lo + step - 1; the one from max on is +Inf.
  metrics: {
    type: 'histogram',
    le(t) {
      const { min, step } = bounds(t);
      return Array.from({ length: lhistBuckets(t) - 1 }, (_, i) => min + BigInt(i) * step - 1n);
    },
    counts: (v, t) => ownBuckets(v, t),
    trim: false,
  },
};
