// Reads a script map out of the kernel and decodes it: keys into values of the key type,
// per-CPU aggregation values combined by the aggregation's own module.

import { aggregates, type AggregateValue } from '../src/functions';
import { decodeValue } from '../src/functions/values';
import type { MapMeta } from '../src/meta';
import type { Value } from '../src/types';
import type { BpfMap } from './libbpf';

export interface DecodedEntry {
  /** null for a keyless map; the key's parts otherwise (one part unless the key is a tuple). */
  key: Value[] | null;
  value: AggregateValue | Value;
}

export function readMap(meta: MapMeta, map: BpfMap, ncpus: number): DecodedEntry[] {
  const agg = meta.aggregate ? aggregates.get(meta.aggregate) : undefined;
  const stride = Math.ceil(meta.valueSize / 8) * 8;
  const out: DecodedEntry[] = [];
  for (const { key, value } of map.entries()) {
    const kv = new DataView(key.buffer, key.byteOffset, key.length);
    const vv = new DataView(value.buffer, value.byteOffset, value.length);
    let decodedKey: Value[] | null = null;
    if (meta.keyType) {
      const k = decodeValue(meta.keyType, kv, 0);
      decodedKey = meta.keyType.kind === 'tuple' ? (k as Value[]) : [k];
    }
    // A keyless aggregation's array slot exists from the start; untouched, it is no entry at all
    // (bpftrace prints nothing for it), except that an unused count() still prints 0.
    if (!meta.keyType && agg && meta.aggregate !== 'count' && value.every((b) => b === 0)) continue;
    if (agg && meta.valueType.kind === 'agg') {
      const perCpu: DataView[] = [];
      for (let c = 0; c < ncpus; c++) perCpu.push(new DataView(value.buffer, value.byteOffset + c * stride, meta.valueSize));
      out.push({ key: decodedKey, value: agg.combine(meta.valueType, perCpu) });
    } else {
      out.push({ key: decodedKey, value: decodeValue(meta.valueType, vv, 0) });
    }
  }
  return out;
}
