// The program's own counters (the compiled program's stats map, one per-CPU u64 per `Stat`):
// events the ring buffer had no room for, and updates a full map dropped. The session reports
// them at exit; anything else watching a running script reads them the same way.

import { Stat } from '../src/compiled';
import { numPossibleCpus, type BpfMap } from './libbpf';

export { Stat };

/** The counter summed over every CPU; 0 when the program has no stats map. */
export function readStat(stats: BpfMap | null | undefined, which: Stat): bigint {
  if (!stats) return 0n;
  const ncpus = numPossibleCpus();
  const key = Buffer.alloc(4);
  const value = Buffer.alloc(8 * ncpus);
  key.writeUInt32LE(which);
  if (!stats.lookup(key, value)) return 0n;
  let sum = 0n;
  for (let c = 0; c < ncpus; c++) sum += value.readBigUInt64LE(c * 8);
  return sum;
}

/** What bpfscript says at exit when a full map dropped updates (bpftrace 0.17 says nothing). */
export function mapFullWarning(full: bigint): string {
  return `WARNING: ${full} map update${full === 1n ? '' : 's'} dropped: a map was full (it holds max_map_keys keys, BPFTRACE_MAP_KEYS_MAX, default 4096, or what its let @m = hash(N) declares; raise that to keep more)\n`;
}
