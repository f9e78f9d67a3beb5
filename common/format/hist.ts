// Rendering of hist() and lhist() bucket arrays as bpftrace 0.17 draws them.
//
// Bucket layouts (what the runtime passes, after summing the per-CPU copies):
//   hist:  index 0 counts negative values            "(..., 0)"
//          index 1 counts zero                       "[0]"
//          index 2 counts one                        "[1]"
//          index k >= 3 counts [2^(k-2), 2^(k-1))    "[2, 4)" ... "[1K, 2K)" ...
//          so 66 entries cover all of uint64 (index 65 = [2^63, 2^64)); a shorter array means
//          the missing buckets are empty.
//   lhist: n = (max - min) / step (integer division) and n + 2 entries:
//          index 0 counts values below min           "(..., min)"
//          index i in 1..n counts [min+(i-1)*step, min+i*step)
//          index n+1 counts the rest                 "[max, ...)"

const BAR_WIDTH = 52;
const BAR_FULL = '@'.repeat(BAR_WIDTH);
const BAR_EMPTY = ' '.repeat(BAR_WIDTH);

const SMALL_COUNT = 1n << 40n;

const UNITS = ['', 'K', 'M', 'G', 'T', 'P', 'E'];

/** hist labels: a power of two with the largest 1024-based unit that divides it. */
export function histNumber(n: bigint): string {
  let u = 0;
  while (u < UNITS.length - 1 && n >= 1024n && n % 1024n === 0n) {
    n /= 1024n;
    u++;
  }
  return `${n}${UNITS[u]}`;
}

/**
 * lhist labels: bpftrace 0.17 computes them in 32-bit ints and knows only K and M, so 2^30 prints
 * as 1024M and 2^31 wraps to -2048M.
 */
export function lhistNumber(n: bigint): string {
  const v = BigInt.asIntN(32, n);
  if (v !== 0n && v % 1048576n === 0n) return `${v / 1048576n}M`;
  if (v !== 0n && v % 1024n === 0n) return `${v / 1024n}K`;
  return v.toString();
}

const histLabels: string[] = [];

export function histLabel(index: number): string {
  let l = histLabels[index];
  if (l === undefined) l = histLabels[index] = computeHistLabel(index);
  return l;
}

function computeHistLabel(index: number): string {
  if (index === 0) return '(..., 0)';
  if (index === 1) return '[0]';
  if (index === 2) return '[1]';
  const lo = 1n << BigInt(index - 2);
  return `[${histNumber(lo)}, ${histNumber(lo * 2n)})`;
}

export function lhistLabel(index: number, buckets: number, min: bigint, max: bigint, step: bigint): string {
  if (index === 0) return `(..., ${lhistNumber(min)})`;
  if (index === buckets - 1) return `[${lhistNumber(max)}, ...)`;
  const lo = min + BigInt(index - 1) * step;
  return `[${lhistNumber(lo)}, ${lhistNumber(lo + step)})`;
}

/**
 * lhist labels as bpftrace 0.26 prints them: K and M only when the step is a multiple of 1024
 * (else plain numbers: 1024, not 1K), a one-value bucket as `[5]` (step 1), and the open top
 * bucket from where the last full bucket ends.
 */
export function lhistLabel026(index: number, buckets: number, min: bigint, _max: bigint, step: bigint): string {
  const num = (n: bigint) => (step % 1024n !== 0n || n === 0n ? n.toString() : n % 1048576n === 0n ? `${n / 1048576n}M` : n % 1024n === 0n ? `${n / 1024n}K` : n.toString());
  if (index === 0) return `(..., ${num(min)})`;
  const lo = min + BigInt(index - 1) * step;
  if (index === buckets - 1) return `[${num(lo)}, ...)`;
  if (step === 1n) return `[${num(lo)}]`;
  return `[${num(lo)}, ${num(lo + step)})`;
}

export function lhistBucketCount(min: bigint, max: bigint, step: bigint): number {
  return Number((max - min) / step) + 2;
}

export function bucketTotal(counts: readonly bigint[]): bigint {
  let t = 0n;
  for (const c of counts) t += c;
  return t;
}

/**
 * The bucket lines, from the first non-empty bucket to the last one (none when all are empty).
 * Bars scale to the largest bucket, rounding down; `div` divides the printed counts only, as
 * print(@h, 0, div) does in bpftrace 0.17.
 */
export function renderBuckets(counts: readonly bigint[], label: (i: number) => string, div: bigint): string {
  let first = -1;
  let last = -1;
  let max = 0n;
  for (let i = 0; i < counts.length; i++) {
    const c = counts[i];
    if (c === 0n) continue;
    if (first < 0) first = i;
    last = i;
    if (c > max) max = c;
  }
  if (first < 0) return '';
  // Counts below 2^53 / 52 scale exactly in doubles, which is far cheaper than bigint division.
  const small = max < SMALL_COUNT;
  const maxNum = Number(max);
  let out = '';
  for (let i = first; i <= last; i++) {
    const c = counts[i];
    const bar = small ? Math.floor((Number(c) * BAR_WIDTH) / maxNum) : Number((c * BigInt(BAR_WIDTH)) / max);
    const shown = div > 1n ? c / div : c;
    out += `${label(i).padEnd(16)}${shown.toString().padStart(8)} |${BAR_FULL.slice(0, bar)}${BAR_EMPTY.slice(bar)}|\n`;
  }
  return out;
}

/** The hist bucket a value falls in (the layout above); for codegen and tests. */
export function histBucketIndex(v: bigint): number {
  if (v < 0n) return 0;
  if (v === 0n) return 1;
  return BigInt.asUintN(64, v).toString(2).length + 1;
}

/** The lhist bucket a value falls in (the layout above); for codegen and tests. */
export function lhistBucketIndex(v: bigint, min: bigint, max: bigint, step: bigint): number {
  const last = lhistBucketCount(min, max, step) - 1;
  if (v < min) return 0;
  if (v >= max) return last;
  return Math.min(last, Number((v - min) / step) + 1);
}

/** A bucket's bounds for -f json, inclusive; null for an open end. */
export type BucketRange = [bigint | null, bigint | null];

export function histRange(i: number): BucketRange {
  if (i === 0) return [null, -1n];
  if (i === 1) return [0n, 0n];
  const lo = 1n << BigInt(i - 2);
  // bpftrace 0.17 computes the bounds in 32-bit ints: [2^31, 2^32) prints as min -2^31 (1 << 31)
  // and max 0 (1 << 32 shifts by 0 on x86, minus one). Its hist never fills higher buckets; ours
  // print their true bounds (see spec.md, Known differences).
  if (lo === 1n << 31n) return [-(1n << 31n), 0n];
  return [lo, lo * 2n - 1n];
}

export function lhistRange(i: number, n: number, min: bigint, max: bigint, step: bigint): BucketRange {
  if (i === 0) return [null, min - 1n];
  if (i === n - 1) return [max, null];
  const lo = min + BigInt(i - 1) * step;
  return [lo, lo + step - 1n];
}

/**
 * -f json's array of buckets from the first non-empty to the last: {"min", "max", "count"}, the
 * negative bucket without "min" ({"max": -1, ...}), lhist's ends without "min" or "max"; a zeroed
 * histogram is [].
 */
/** `sep`: between bucket objects, ', ' as bpftrace 0.17 writes them, ',' as 0.26 does. */
export function jsonBuckets(counts: readonly bigint[], range: (i: number) => BucketRange, div: bigint, sep = ', '): string {
  let first = -1;
  let last = -1;
  for (let i = 0; i < counts.length; i++) {
    if (counts[i] === 0n) continue;
    if (first < 0) first = i;
    last = i;
  }
  const out: string[] = [];
  for (let i = first; first >= 0 && i <= last; i++) {
    const [lo, hi] = range(i);
    const members: string[] = [];
    if (lo !== null) members.push(`"min": ${lo}`);
    if (hi !== null) members.push(`"max": ${hi}`);
    members.push(`"count": ${div === 1n ? counts[i] : counts[i] / div}`);
    out.push(`{${members.join(', ')}}`);
  }
  return `[${out.join(sep)}]`;
}

/** hist bounds as bpftrace 0.26 computes them, in 64 bits (no 0.17 wrap at 2^31). */
export function histRange026(i: number): BucketRange {
  if (i < 3) return histRange(i);
  const lo = 1n << BigInt(i - 2);
  return [lo, lo * 2n - 1n];
}
