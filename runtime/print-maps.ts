// The exit-time map dump: read every script map, decode it, print it in bpftrace's format.

import type { MapMeta } from '../src/meta';
import { formatExitMaps as formatMaps, type MapData } from './format/maps';
import type { BpfMap } from './libbpf';
import { readMap } from './read-maps';

export function toMapData(meta: MapMeta, map: BpfMap, ncpus: number): MapData {
  return { name: meta.name, keyType: meta.keyType, valueType: meta.valueType, entries: readMap(meta, map, ncpus) };
}

export function formatExitMaps(maps: { meta: MapMeta; map: BpfMap }[], ncpus: number): string {
  return formatMaps(maps.map(({ meta, map }) => toMapData(meta, map, ncpus)));
}
