// tseries(x, interval, count[, "avg"|"max"|"min"|"sum"]) (bpftrace 0.24+): the value of x over
// the last `count` intervals. Per CPU a ring of `count` slots {value, meta, epoch}, where epoch =
// wall-clock now / interval picks the slot (epoch % count); the slot keeps epoch + 1, 0 meaning never written. meta:
// the time of the write (last value wins), the number of values (avg), "has a value" (min, max).
// User space merges the CPUs' slots of the same epoch and shows the newest `count` intervals of the
// whole map (alignEntries), each row a point on a graph (text) or an {interval_start, value} (JSON).

import { IntPredicate, Opcode, type Val } from '../codegen/llvm';
import { BpfHelper } from '../../common/kernel/bpf-helpers';
import { opaqueToOptimizer } from '../codegen/opaque';
import type { AggType } from '../../common/types';
import { localTm, strftime } from '../../common/format/strftime';
import type { AggregateDef, EmitContext } from './types';

const REDUCERS = ['avg', 'max', 'min', 'sum'] as const;
const SLOT = 24;
/** A per-CPU value is at most 32 KiB (the kernel's per-CPU allocation unit). */
const MAX_INTERVALS = 1000n;

/** What a map entry holds once its CPUs are merged: value by epoch, and how to place them in time. */
export type TSeriesValue = {
  byEpoch: Map<bigint, bigint>;
  /** The newest epoch shown: this entry's own, or the whole map's after alignEntries. */
  last: bigint;
};

function params(t: AggType): { interval: bigint; count: number; reduce: string } {
  return { interval: t.interval ?? 1n, count: Number(t.slots ?? 1n), reduce: t.reduce ?? '' };
}

function literal(ctx: Parameters<AggregateDef['check']>[0], call: Parameters<AggregateDef['check']>[1], i: number, what: string): bigint | null {
  const a = call.args[i];
  if (a && a.kind === 'IntLit') return a.value;
  ctx.error(`tseries(): ${what} must be a positive integer literal`, a ?? call, 'for example tseries(x, 100ms, 20)');
  return null;
}

/** The address of ring slot epoch % count, bounded where the verifier can see it. */
function slotOf(ctx: EmitContext, ring: Val, epoch: Val, count: number): Val {
  const { b, c, i64 } = ctx;
  const spill = b.bitcast(ctx.reusableSlot('tseries', 8), c.ptr(i64));
  b.store(opaqueToOptimizer(ctx, b.binop(Opcode.URem, epoch, ctx.constInt(count))), spill);
  const index = b.load(i64, spill, 'tseries', true);
  const last = ctx.constInt(count - 1);
  const bounded = b.select(b.icmp(IntPredicate.UGT, index, last), last, index);
  return b.gep(i64, b.bitcast(ring, c.ptr(i64)), [b.binop(Opcode.Mul, bounded, ctx.constInt(3))]);
}

/**
 * Wall-clock time, so intervals start on whole multiples of the interval as the clock shows them.
 * BPFTRACE_DUMMY_TS_MAP=@m (bpftrace's test hook) takes the time from keyless map @m instead, so
 * a test decides which interval each value falls in.
 */
function clock(ctx: EmitContext): Val {
  const { b, c, i64, i8p } = ctx;
  const dummy = process.env.BPFTRACE_DUMMY_TS_MAP ? ctx.map(process.env.BPFTRACE_DUMMY_TS_MAP) : undefined;
  if (!dummy || dummy.info.keyType !== null) return b.binop(Opcode.Add, b.helper(BpfHelper.KTIME_GET_NS, i64, [], [], 'now'), ctx.config('wall_at_boot'));
  const key = ctx.zeroed(4, 'ts_key', true);
  const found = b.helper(BpfHelper.MAP_LOOKUP_ELEM, i8p, [i8p, i8p], [b.bitcast(dummy.global, i8p), key], 'ts');
  const from = b.insertBlock;
  const yes = b.appendBlock(ctx.fn, 'ts_found');
  const done = b.appendBlock(ctx.fn, 'ts_read');
  b.condBr(b.icmp(IntPredicate.NE, found, c.constNull(i8p)), yes, done);
  b.positionAtEnd(yes);
  const v = b.load(i64, b.bitcast(found, c.ptr(i64)));
  b.br(done);
  b.positionAtEnd(done);
  return b.phi(i64, [[v, yes], [ctx.constInt(0), from]]);
}

export const tseries: AggregateDef = {
  name: 'tseries',
  examples: [{ script: 'BEGIN { @ = tseries(5, 1s, 2); exit(); }', output: /^\n\n@:\n {19}4 {51}6\nhh:mm:ss\.ns {8}\|_{51}\|\n\d\d:\d\d:\d\d\.000000000 \| {25}\* {25}\| 5\n {19}v_{51}v\n {19}4 {51}6\n\n$/ }],
  check(ctx, call) {
    const t: AggType = { kind: 'agg', agg: 'tseries', signed: true, interval: 1n, slots: 1n };
    if (call.args.length < 3 || call.args.length > 4) {
      ctx.error('tseries() takes 3 or 4 arguments: tseries(value, interval, intervals[, "avg"|"max"|"min"|"sum"])', call);
      return t;
    }
    const vt = ctx.typeOf(call.args[0]);
    if (vt.kind !== 'int' && vt.kind !== 'none') ctx.error(`tseries() expects an integer value, got ${vt.kind}`, call.args[0]);
    if (vt.kind === 'int') t.signed = vt.signed;
    const interval = literal(ctx, call, 1, 'the interval');
    const slots = literal(ctx, call, 2, 'the number of intervals');
    if (interval !== null) {
      if (interval <= 0n) ctx.error('tseries(): the interval must be positive', call.args[1], 'durations take a suffix: 100ms, 1s');
      else t.interval = interval;
    }
    if (slots !== null) {
      if (slots <= 0n) ctx.error('tseries(): the number of intervals must be positive', call.args[2]);
      else if (slots > MAX_INTERVALS) ctx.error(`tseries(): too many intervals (at most ${MAX_INTERVALS})`, call.args[2], 'use a longer interval');
      else t.slots = slots;
    }
    const fn = call.args[3];
    if (fn) {
      if (fn.kind !== 'StrLit' || !(REDUCERS as readonly string[]).includes(fn.value)) {
        ctx.error('tseries(): the aggregation must be one of "avg", "max", "min", "sum"', fn, 'leave it out to keep the last value of each interval');
      } else t.reduce = fn.value;
    }
    return t;
  },
  valueSize: (t) => params(t).count * SLOT,
  emitUpdate(ctx, call, t, ring) {
    const { b, i64 } = ctx;
    const { interval, count, reduce } = params(t);
    const now = clock(ctx);
    const epoch = b.binop(Opcode.UDiv, now, ctx.constInt(interval));
    const vp = slotOf(ctx, ring, epoch, count);
    const mp = b.gep(i64, vp, [ctx.constInt(1)]);
    const ep = b.gep(i64, vp, [ctx.constInt(2)]);
    const x = ctx.emit(call.args[0]).v;
    // A slot still holding an older interval starts over.
    const stored = b.binop(Opcode.Add, epoch, ctx.constInt(1));
    const stale = b.icmp(IntPredicate.NE, b.load(i64, ep), stored);
    const zero = ctx.constInt(0);
    const value = b.select(stale, zero, b.load(i64, vp));
    const meta = b.select(stale, zero, b.load(i64, mp));
    if (reduce === 'sum' || reduce === 'avg') {
      b.store(b.binop(Opcode.Add, value, x), vp);
      b.store(reduce === 'avg' ? b.binop(Opcode.Add, meta, ctx.constInt(1)) : meta, mp);
    } else if (reduce === 'min' || reduce === 'max') {
      const pred = reduce === 'min' ? (t.signed ? IntPredicate.SLT : IntPredicate.ULT) : t.signed ? IntPredicate.SGT : IntPredicate.UGT;
      const take = b.binop(Opcode.Or, b.icmp(IntPredicate.EQ, meta, zero), b.icmp(pred, x, value));
      b.store(b.select(take, x, value), vp);
      b.store(ctx.constInt(1), mp);
    } else {
      b.store(x, vp);
      b.store(now, mp);
    }
    b.store(stored, ep);
  },
  combine(t, perCpu): TSeriesValue {
    const { count, reduce } = params(t);
    const num = (v: DataView, off: number) => (t.signed ? v.getBigInt64(off, true) : v.getBigUint64(off, true));
    const byEpoch = new Map<bigint, bigint>();
    let last = 0n;
    for (let i = 0; i < count; i++) {
      // The CPUs' slots of the same epoch merge; of a slot, only its newest epoch is still whole.
      const merged = new Map<bigint, { v: bigint; meta: bigint }>();
      for (const cpu of perCpu) {
        const epoch = cpu.getBigUint64(i * SLOT + 16, true) - 1n;
        if (epoch < 0n) continue;
        const v = num(cpu, i * SLOT);
        const meta = cpu.getBigUint64(i * SLOT + 8, true);
        const cur = merged.get(epoch);
        if (!cur) merged.set(epoch, { v, meta });
        else if (reduce === 'sum') cur.v += v;
        else if (reduce === 'avg') (cur.v += v), (cur.meta += meta);
        else if (reduce === 'min') cur.v = v < cur.v ? v : cur.v;
        else if (reduce === 'max') cur.v = v > cur.v ? v : cur.v;
        else if (meta > cur.meta) Object.assign(cur, { v, meta });
      }
      if (merged.size === 0) continue;
      const epoch = [...merged.keys()].reduce((a, e) => (e > a ? e : a));
      const { v, meta } = merged.get(epoch)!;
      // bpftrace drops what was written in epoch 0 (only a test's fake clock has one) and shows 0.
      byEpoch.set(epoch, epoch === 0n ? 0n : reduce === 'avg' && meta !== 0n ? v / BigInt.asIntN(64, meta) : v);
      if (epoch > last) last = epoch;
    }
    return { byEpoch, last };
  },
  alignEntries(values) {
    const vs = values as readonly TSeriesValue[];
    const last = vs.reduce((a, v) => (v.last > a ? v.last : a), 0n);
    return vs.map((v) => ({ ...v, last }));
  },
  sortKey: (v) => (v as TSeriesValue).last,
  jsonKind: 'tseries',
  printsAs: '0.26',
  layout: 'histogram',
  printsWhenZero: false,
  ignoresTopDiv: true,
  text: (v, t) => renderGraph(points(v as TSeriesValue, t), params(t).interval),
  json(v, t) {
    const rows = points(v as TSeriesValue, t).filter((p) => p.value !== null);
    return `[${rows.map((p) => `{"interval_start":"${timestamp(p.ns, '%Y-%m-%d %H:%M:%S', 9)}","value":${p.value}}`).join(',')}]`;
  },
  typeName(t) {
    const { interval, count, reduce } = params(t);
    return `tseries(${interval}ns, ${count}${reduce ? `, "${reduce}"` : ''})`;
  },
};

interface Point {
  /** Wall-clock nanoseconds of the interval's start. */
  ns: bigint;
  value: bigint | null;
}

/** The rows shown: from the entry's first epoch among the newest `count` to the map's newest. */
function points(v: TSeriesValue, t: AggType): Point[] {
  const { interval, count } = params(t);
  if (v.byEpoch.size === 0) return [];
  const first = v.last - BigInt(count) + 1n;
  let own = v.last;
  for (const e of v.byEpoch.keys()) if (e >= first && e < own) own = e;
  const out: Point[] = [];
  for (let e = first > own ? first : own; e <= v.last; e++) out.push({ ns: e * interval, value: v.byEpoch.get(e) ?? null });
  return out;
}

/** Local time of `ns` by `fmt`, then `digits` digits of the second's fraction. */
function timestamp(ns: bigint, fmt: string, digits: number): string {
  const secs = ns / 1_000_000_000n;
  const text = strftime(fmt, localTm(new Date(Number(secs) * 1000)));
  if (digits === 0) return text;
  const frac = (ns % 1_000_000_000n).toString().padStart(9, '0').slice(0, digits);
  return `${text}.${frac}`;
}

const WIDTH = 53;
const PAD = 21;

/** The time unit of the rows' fraction, by the spacing of the rows (as bpftrace picks it). */
function unitOf(spacing: bigint): { name: string; digits: number } {
  if (spacing >= 1_000_000_000n) return { name: '', digits: 0 };
  if (spacing >= 1_000_000n) return { name: 'ms', digits: 3 };
  if (spacing >= 1000n) return { name: 'μs', digits: 6 };
  return { name: 'ns', digits: 9 };
}

function renderGraph(rows: Point[], _interval: bigint): string {
  if (rows.length === 0) return '<no data>';
  const known = rows.flatMap((r) => (r.value === null ? [] : [r.value]));
  let lo = known.reduce((a, x) => (x < a ? x : a), known[0] ?? 0n);
  let hi = known.reduce((a, x) => (x > a ? x : a), known[0] ?? 0n);
  if (lo === hi) (lo -= 1n), (hi += 1n);
  const spacing = (rows[rows.length - 1].ns - rows[0].ns) / BigInt(rows.length > 1 ? rows.length - 1 : 1);
  const unit = unitOf(spacing);
  const timeFmt = unit.name ? `hh:mm:ss.${unit.name}` : 'hh:mm:ss';
  const timeSize = 8 + (unit.digits ? 1 + unit.digits : 0);
  const scale = `${String(lo).padEnd(PAD)}${String(hi).padStart(WIDTH - PAD)}`;
  // The unit's name may hold a multi-byte character; bpftrace pads by bytes.
  const fmtPad = ' '.repeat(Math.max(0, timeSize + 1 - Buffer.byteLength(timeFmt)));
  let out = `${' '.repeat(timeSize + 1)}${scale}\n${timeFmt}${fmtPad}|${'_'.repeat(WIDTH - 2)}|\n`;
  // bpftrace places points in single-precision arithmetic: so does this, for the same columns.
  const f = Math.fround;
  const zeroAt = lo < 0n && hi > 0n ? Math.trunc(f(f(WIDTH * f(Number(lo))) / f(Number(lo - hi)))) : 0;
  for (const r of rows) {
    const line = [...`|${' '.repeat(WIDTH - 2)}|`];
    if (zeroAt > 0) line[zeroAt] = '.';
    let tail = ' -';
    if (r.value !== null) {
      const at = Math.trunc(f(f((WIDTH - 1) * f(Number(lo - r.value))) / f(Number(lo - hi))));
      line[Math.max(0, Math.min(WIDTH - 1, at))] = '*';
      tail = ` ${r.value}`;
    }
    out += `${timestamp(r.ns, '%H:%M:%S', unit.digits)} ${line.join('')}${tail}\n`;
  }
  out += `${' '.repeat(timeSize)} v${'_'.repeat(WIDTH - 2)}v\n`;
  out += `${' '.repeat(timeSize)} ${scale}\n`;
  return out;
}
