// Reads a script map out of the kernel and decodes it: keys into values of the key type,
// per-CPU aggregation values combined by the aggregation's own module.

import { aggregates, type AggregateValue, type HostLookup, type MapData, type MapReader } from '../src/functions';
import type { MapMeta } from '../src/compiled';
import type { Value } from '../common/types';
import { isRecord } from '../common/records';
import { decodeValue } from './format/decode';
import { createHost } from './format/host';
import { LibbpfError, UpdateFlags, type BpfMap } from './libbpf';

export interface DecodedEntry {
  /** null for a keyless map; the key's parts otherwise (one part unless the key is a tuple). */
  key: Value[] | null;
  value: AggregateValue | Value;
  /** The key as stored (see MapEntry.rawKey). */
  rawKey?: Uint8Array;
}

/**
 * `keepZeroed`: show a keyless aggregation even when it is all zeroes (after zero(), bpftrace
 * still prints it; untouched or after clear() it prints nothing).
 */
export function readMap(meta: MapMeta, map: BpfMap, ncpus: number, keepZeroed = false, host: HostLookup = createHost(), zeroCountsPrint = true): DecodedEntry[] {
  const agg = meta.aggregate ? aggregates.get(meta.aggregate) : undefined;
  const stride = Math.ceil(meta.valueSize / 8) * 8;
  const out: DecodedEntry[] = [];
  for (const { key, value } of map.entries()) {
    const kv = new DataView(key.buffer, key.byteOffset, key.length);
    let decodedKey: Value[] | null = null;
    if (meta.keyType) {
      const k = decodeValue(meta.keyType, kv, 0, host, true);
      // A multi-key map's key is a tuple of its parts; a record is one part.
      decodedKey = meta.keyType.kind === 'tuple' && !isRecord(meta.keyType) ? (k as Value[]) : [k];
    }
    // A keyless aggregation's array slot exists from the start; untouched, it is no entry at all
    // (bpftrace prints nothing for it), except for those that say so (count() prints 0).
    if (!meta.keyType && agg && !(agg.printsWhenZero && zeroCountsPrint) && !keepZeroed && value.every((b) => b === 0)) continue;
    if (agg && meta.valueType.kind === 'agg') {
      const perCpu: DataView[] = [];
      for (let c = 0; c < ncpus; c++) perCpu.push(new DataView(value.buffer, value.byteOffset + c * stride, meta.valueSize));
      out.push({ key: decodedKey, value: agg.combine(meta.valueType, perCpu), ...(meta.keyType ? { rawKey: key } : {}) });
    } else {
      out.push({ key: decodedKey, value: decodeValue(meta.valueType, new DataView(value.buffer, value.byteOffset, value.length), 0, host) });
    }
  }
  return out;
}

/**
 * The script's maps by name, for map functions handled in user space (print, clear, zero). clear
 * and zero run when their event is handled, asynchronously, as in bpftrace: a per-CPU value can
 * only be reset for every CPU at once from user space.
 */
export class ScriptMaps implements MapReader {
  private readonly byName = new Map<string, MapMeta>();
  /** Keyless aggregations zeroed since their last clear(). */
  private readonly zeroed = new Set<string>();

  constructor(
    metas: readonly MapMeta[],
    private readonly open: (bpfName: string) => BpfMap,
    private readonly ncpus: number,
    private readonly host: HostLookup = createHost(),
    /** bpftrace 0.26 prints no keyless count() that holds nothing (see DialectStyle). */
    private readonly zeroCountsPrint = true,
  ) {
    for (const m of metas) this.byName.set(m.name, m);
  }

  private get(name: string): { meta: MapMeta; map: BpfMap } {
    const meta = this.byName.get(name);
    if (!meta) throw new Error(`internal: no map ${name}`);
    return { meta, map: this.open(meta.bpfName) };
  }

  read(name: string): MapData {
    const { meta, map } = this.get(name);
    return { name: meta.name, keyType: meta.keyType, valueType: meta.valueType, entries: readMap(meta, map, this.ncpus, this.zeroed.has(name), this.host, this.zeroCountsPrint) };
  }

  readAll(): MapData[] {
    return [...this.byName.keys()].map((n) => this.read(n));
  }

  /** Removes every key; a keyless aggregation (an array slot, never absent) is zeroed instead. */
  clear(name: string): void {
    const { meta, map } = this.get(name);
    this.zeroed.delete(name);
    if (!meta.keyType && meta.perCpu) {
      this.zeroAll(meta, map);
      return;
    }
    for (const key of this.keys(map)) map.delete(key);
  }

  /** Keeps every key with a zero value. */
  zero(name: string): void {
    const { meta, map } = this.get(name);
    if (!meta.keyType) this.zeroed.add(name);
    this.zeroAll(meta, map);
  }

  private zeroAll(meta: MapMeta, map: BpfMap): void {
    const value = Buffer.alloc(map.lookupValueSize);
    if (!meta.keyType && meta.perCpu) {
      map.update(Buffer.alloc(4), value);
      return;
    }
    for (const key of this.keys(map)) {
      try {
        map.update(key, value, UpdateFlags.EXIST);
      } catch (e) {
        // A key deleted by a probe meanwhile stays deleted.
        if (!(e instanceof LibbpfError)) throw e;
      }
    }
  }

  private keys(map: BpfMap): Buffer[] {
    const out: Buffer[] = [];
    for (const { key } of map.entries()) out.push(key);
    return out;
  }
}
