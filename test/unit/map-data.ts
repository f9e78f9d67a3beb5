// Builders for the map contents the runtime hands to the formatters (runtime/format/*), so the
// formatting suites state a map in one line and bin histogram samples the way the BPF program does.

import { histBucketIndex, lhistBucketCount, lhistBucketIndex } from '../../common/format/hist';
import type { MapData, MapEntry } from '../../runtime/format/maps';
import type { AggType, Type, Value } from '../../common/types';

export const agg = (a: 'count' | 'sum' | 'min' | 'max' | 'avg' | 'stats' | 'hist', signed = true): AggType => ({ kind: 'agg', agg: a, signed });
export const lh = (min: bigint, max: bigint, step: bigint): AggType => ({ kind: 'agg', agg: 'lhist', signed: true, min, max, step });
export const tup = (...elems: Type[]): Type => ({ kind: 'tuple', elems });

export function map(name: string, keyType: Type | null, valueType: Type, entries: [Value[] | null, MapEntry['value']][]): MapData {
  return { name, keyType, valueType, entries: entries.map(([key, value]) => ({ key, value })) };
}

/** Bucket counts for the given samples, binned as the BPF program does. */
export function hist(...samples: bigint[]): bigint[] {
  const b: bigint[] = new Array(66).fill(0n);
  for (const v of samples) b[histBucketIndex(v)]++;
  return b;
}

export function lhist(t: AggType, ...samples: bigint[]): bigint[] {
  if (t.min === undefined || t.max === undefined || t.step === undefined) throw new Error('lhist type expected');
  const b: bigint[] = new Array(lhistBucketCount(t.min, t.max, t.step)).fill(0n);
  for (const v of samples) b[lhistBucketIndex(v, t.min, t.max, t.step)]++;
  return b;
}
