// hist(x, k) (bpftrace 0.22+): each power of two split into 2^k buckets, k from 0 to 5. The
// layout, as bpftrace's log2 with k computes the index:
//   index 0                counts negative values
//   index 1 + v            for 0 <= v < 2^k, one value each
//   index 1 + (p - k + 1) * 2^k + s   for v >= 2^k, p = floor(log2 v), s the k bits after the top 1
// so (65 - k) * 2^k + 1 entries cover uint64 (k = 0 is hist(x)'s 66). Bucket i holds the values
// from bound(i - 1) up to bound(i), exclusive.

import type { BucketRange } from './hist';

export const FINE_MAX_K = 5;

export function fineBucketCount(k: number): number {
  return (65 - k) * (1 << k) + 1;
}

/** The exclusive upper bound of bucket i (bpftrace's label); 0 for the negative bucket. */
export function fineBound(i: number, k: number): bigint {
  if (i <= 2 << k) return BigInt(i);
  const n = 1 << k;
  return (1n << BigInt((i >> k) - 1)) * BigInt(n + (i & (n - 1)));
}

/** A bound as a label: plain up to 2 << k, above with the largest 1024-power unit of its power of two. */
function boundText(i: number, k: number): string {
  if (i <= 2 << k) return String(i);
  const n = 1 << k;
  const power = (i >> k) - 1;
  const decade = Math.floor(power / 10);
  return `${(1n << BigInt(power - 10 * decade)) * BigInt(n + (i & (n - 1)))}${['', 'K', 'M', 'G', 'T', 'P', 'E'][decade]}`;
}

export function fineLabel(i: number, k: number): string {
  if (i === 0) return '(..., 0)';
  // A bucket of one value shows it alone, where both bounds are plain numbers.
  if (i <= 2 << k) return `[${i - 1}]`;
  return `[${boundText(i - 1, k)}, ${boundText(i, k)})`;
}

/** -f json's inclusive bounds of bucket i. */
export function fineRange(i: number, k: number): BucketRange {
  if (i === 0) return [null, -1n];
  return [fineBound(i - 1, k), fineBound(i, k) - 1n];
}

/** The bucket of value v, as the BPF side computes it; for tests. */
export function fineBucketIndex(v: bigint, k: number): number {
  if (v < 0n) return 0;
  const mask = (1n << BigInt(k)) - 1n;
  if (v <= mask) return Number(v) + 1;
  const l = BigInt(v.toString(2).length - 1 - k);
  return Number(((l + 1n) << BigInt(k)) + ((v >> l) & mask) + 1n);
}
