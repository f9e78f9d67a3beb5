// How many keys a keyed map holds: bpftrace's BPFTRACE_MAP_KEYS_MAX (default 4096), which the
// `config = { max_map_keys = N }` block of newer bpftrace also sets. A map that is full refuses
// new keys; the programs count each refusal and the session reports the count at exit.

import { BpfscriptError } from '../../common/diagnostics';

export const DEFAULT_MAP_KEYS = 4096;

/** The largest max_entries accepted: bigger maps would not be created by most kernels' memlock anyway. */
export const MAX_MAP_KEYS = 1 << 24;

/** BPFTRACE_MAP_KEYS_MAX from the environment, checked; undefined when unset. */
export function mapKeysFromEnv(env: NodeJS.ProcessEnv = process.env): number | undefined {
  const raw = env.BPFTRACE_MAP_KEYS_MAX;
  if (raw === undefined || raw === '') return undefined;
  const n = Number(raw);
  if (!/^\d+$/.test(raw.trim()) || !Number.isSafeInteger(n) || n < 1 || n > MAX_MAP_KEYS) {
    throw new BpfscriptError({ severity: 'ERROR', message: `BPFTRACE_MAP_KEYS_MAX must be an integer from 1 to ${MAX_MAP_KEYS}, got '${raw}'` });
  }
  return n;
}
