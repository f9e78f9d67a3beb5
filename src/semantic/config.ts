// The `config = { name = value; … }` block of newer bpftrace (0.20+): settings a script carries
// instead of environment variables. Names may be written `max_map_keys`, `MAX_MAP_KEYS` or
// `BPFTRACE_MAX_MAP_KEYS`; an environment variable for the same setting wins, as in bpftrace.

import type { Config } from '../ast';
import type { DiagnosticBag } from '../diagnostics';
import { MAX_MAP_KEYS } from './map-keys';

export interface ConfigValues {
  strLen?: number;
  mapKeys?: number;
}

/** Settings bpfscript implements: [key in ConfigValues, smallest, largest, what it adds to a value]. */
const SETTINGS: Record<string, [keyof ConfigValues, number, number, number]> = {
  // bpftrace's max_strlen counts the NUL; so does strLen.
  max_strlen: ['strLen', 2, 1024, 0],
  strlen: ['strLen', 2, 1024, 0],
  max_map_keys: ['mapKeys', 1, MAX_MAP_KEYS, 0],
  map_keys_max: ['mapKeys', 1, MAX_MAP_KEYS, 0],
};

/** Settings bpftrace knows that bpfscript accepts by name but does not act on. */
const KNOWN = ['cache_user_symbols', 'cpp_demangle', 'lazy_symbolication', 'license', 'log_size', 'max_bpf_progs', 'max_cat_bytes', 'max_probes', 'max_type_res_iterations', 'on_stack_limit', 'perf_rb_pages', 'stack_mode', 'str_trunc_trailer', 'print_maps_on_exit', 'missing_probes', 'symbol_source', 'use_blazesym', 'unstable_map_decl', 'unstable_import', 'unstable_macro', 'unstable_tseries', 'unstable_addr'];

export function readConfig(config: Config | null | undefined, diags: DiagnosticBag): ConfigValues {
  const out: ConfigValues = {};
  for (const entry of config?.entries ?? []) {
    const name = entry.key.toLowerCase().replace(/^bpftrace_/, '');
    const setting = SETTINGS[name];
    if (name.startsWith('metrics_')) continue; // read by metrics-config.ts once the maps are known
    if (!setting) {
      if (KNOWN.includes(name)) diags.error(`config variable ${entry.key} is not supported yet`, entry.span, `bpfscript's config block sets ${Object.keys(SETTINGS).filter((k) => k.startsWith('max_')).join(' and ')}`);
      else diags.error(`unknown config variable: ${entry.key}`, entry.span, `known: ${Object.keys(SETTINGS).filter((k) => k.startsWith('max_')).join(', ')}`);
      continue;
    }
    const [key, min, max] = setting;
    const v = entry.value.kind === 'IntLit' ? entry.value.value : null;
    if (v === null || v < BigInt(min) || v > BigInt(max)) {
      diags.error(`${entry.key} must be an integer from ${min} to ${max}`, entry.value.span);
      continue;
    }
    out[key] = Number(v);
  }
  return out;
}
