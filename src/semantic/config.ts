// The `config = { name = value; … }` block of newer bpftrace (0.20+): settings a script carries
// instead of environment variables. Names may be written `max_map_keys`, `MAX_MAP_KEYS` or
// `BPFTRACE_MAX_MAP_KEYS`; the environment variable BPFTRACE_NAME for the same setting wins, as in
// bpftrace 0.26. Every setting 0.26 knows is accepted; those that cannot change anything in
// bpfscript (its symboliser, blazesym) are accepted and do nothing (spec.md lists which).

import type { Config, Expr, Span } from '../ast';
import type { DiagnosticBag } from '../../common/diagnostics';
import type { StackMode } from '../../common/types';
import { didYouMean } from '../suggest';
import { MAX_MAP_KEYS } from './map-keys';

export type MissingProbes = 'error' | 'warn' | 'ignore';

export interface ConfigValues {
  strLen?: number;
  mapKeys?: number;
  catBytes?: number;
  missingProbes?: MissingProbes;
  printMapsOnExit?: boolean;
  stackMode?: StackMode;
  strTruncTrailer?: string;
  maxProbes?: number;
  maxBpfProgs?: number;
  onStackLimit?: number;
  perfRbPages?: number;
  logSize?: number;
  license?: string;
}

type Raw = bigint | string;
/** Reads one value (an integer or a word) into `out`, or returns why it cannot. */
type Parse = (v: Raw, out: ConfigValues) => string | undefined;

const BPF_LICENSES = ['GPL', 'GPL v2', 'GPL and additional rights', 'Dual BSD/GPL', 'Dual MIT/GPL', 'Dual MPL/GPL'];
const LICENSES_SAID = ['Dual MIT/GPL', 'Dual BSD/GPL', 'Dual MPL/GPL', 'GPL and additional rights', 'GPL v2', 'GPL'];

function uint(key: keyof ConfigValues, min: number, max: number): Parse {
  return (v, out) => {
    const n = typeof v === 'bigint' ? v : /^\s*\d+\s*$/.test(v) ? BigInt(v.trim()) : null;
    if (n === null) return `expecting a number, got ${v}`;
    if (n < BigInt(min) || n > BigInt(max)) return `must be from ${min} to ${max}, got ${n}`;
    (out as Record<string, unknown>)[key] = Number(n);
    return undefined;
  };
}

const TRUE = ['1', 'true', 'on', 'yes'];
const FALSE = ['0', 'false', 'off', 'no'];
function bool(key?: keyof ConfigValues): Parse {
  return (v, out) => {
    const s = String(v).toLowerCase();
    const b = TRUE.includes(s) || (typeof v === 'bigint' && v !== 0n) ? true : FALSE.includes(s) ? false : undefined;
    if (b === undefined) return 'Invalid bool value: valid values are true, false, 1 or 0.';
    if (key) (out as Record<string, unknown>)[key] = b;
    return undefined;
  };
}

function choice<T extends string>(key: keyof ConfigValues | undefined, values: readonly T[], what: string, alsoBool = false): Parse {
  return (v, out) => {
    const s = String(v).toLowerCase() as T;
    if (typeof v === 'string' && values.includes(s)) {
      if (key) (out as Record<string, unknown>)[key] = s;
      return undefined;
    }
    if (alsoBool && (typeof v === 'bigint' || TRUE.includes(s) || FALSE.includes(s))) return undefined;
    return `Invalid value for ${what}: valid values are ${values.slice(0, -1).join(', ')} and ${values[values.length - 1]}.`;
  };
}

/** Settings bpftrace 0.26 knows, by their lower-case name; see spec.md "config". */
const SETTINGS: Record<string, Parse> = {
  // bpfscript's string capacity counts the NUL, as BPFTRACE_STRLEN did.
  max_strlen: uint('strLen', 2, 1024),
  max_map_keys: uint('mapKeys', 1, MAX_MAP_KEYS),
  max_cat_bytes: uint('catBytes', 0, 1 << 30),
  max_probes: uint('maxProbes', 1, 1 << 20),
  max_bpf_progs: uint('maxBpfProgs', 1, 1 << 20),
  on_stack_limit: uint('onStackLimit', 0, 256),
  perf_rb_pages: uint('perfRbPages', 1, 1 << 16),
  log_size: uint('logSize', 1, 1 << 30),
  missing_probes: choice('missingProbes', ['ignore', 'warn', 'error'] as const, 'missing_probes'),
  print_maps_on_exit: bool('printMapsOnExit'),
  stack_mode: choice('stackMode', ['bpftrace', 'perf', 'raw'] as const, 'stack_mode'),
  str_trunc_trailer: (v, out) => void (out.strTruncTrailer = String(v)),
  // bpftrace 0.2x's words and order: scripts and its tests match on them.
  license: (v, out) => (BPF_LICENSES.includes(String(v)) ? void (out.license = String(v)) : `Invalid value for license. Found: ${v}. Valid values: ${LICENSES_SAID.join(', ')}`),
  // bpfscript's symboliser reads ELF symbol tables per process, caches them per process, and
  // prints names as the tables hold them: these select among machinery it does not have.
  cache_user_symbols: choice(undefined, ['per_pid', 'per_program', 'none'] as const, 'cache_user_symbols', true),
  cpp_demangle: bool(),
  lazy_symbolication: bool(),
  use_blazesym: bool(),
  show_debug_info: bool(),
  // Feature gates of bpftrace: bpfscript's features need no opt-in.
  unstable_import_statement: choice(undefined, ['enable', 'warn', 'error'] as const, 'unstable config', true),
  unstable_tseries: choice(undefined, ['enable', 'warn', 'error'] as const, 'unstable config', true),
  unstable_typeinfo: choice(undefined, ['enable', 'warn', 'error'] as const, 'unstable config', true),
  unstable_dw_ustack: choice(undefined, ['enable', 'warn', 'error'] as const, 'unstable config', true),
};

/** Old names 0.26 still reads, with a warning naming the new one. */
const RENAMED: Record<string, string> = { strlen: 'max_strlen', map_keys_max: 'max_map_keys', cat_bytes_max: 'max_cat_bytes', no_cpp_demangle: 'cpp_demangle' };
/** Names 0.26 accepts with a warning and ignores. */
const DEPRECATED = ['symbol_source', 'max_type_res_iterations', 'unstable_addr', 'unstable_import', 'unstable_macro', 'unstable_map_decl'];
/** Set only through the environment in bpftrace. */
const ENV_ONLY = ['btf', 'kernel_build', 'kernel_source', 'vmlinux'];

function rawValue(e: Expr): Raw | null {
  switch (e.kind) {
    case 'IntLit':
      return e.value;
    case 'StrLit':
      return e.value;
    case 'Builtin':
      return e.name;
    case 'BoolLit':
      return e.value ? 'true' : 'false';
    case 'Unary':
      return e.op === '-' && e.operand.kind === 'IntLit' ? `-${e.operand.value}` : null;
    default:
      return null;
  }
}

export interface ConfigResult {
  values: ConfigValues;
  warnings: { message: string; span?: Span }[];
}

/** The script's config block, then BPFTRACE_* environment variables over it. */
export function readConfig(config: Config | null | undefined, diags: DiagnosticBag, env: NodeJS.ProcessEnv = process.env): ConfigResult {
  const values: ConfigValues = {};
  const warnings: ConfigResult['warnings'] = [];
  for (const entry of config?.entries ?? []) {
    let name = entry.key.toLowerCase().replace(/^bpftrace_/, '');
    if (name.startsWith('metrics_')) continue; // read by metrics-config.ts once the maps are known
    if (DEPRECATED.includes(name)) {
      warnings.push({ message: `${entry.key} is deprecated and has no effect`, span: entry.span });
      continue;
    }
    if (RENAMED[name]) {
      warnings.push({ message: `${entry.key} has been renamed, please use ${RENAMED[name]}`, span: entry.span });
      name = RENAMED[name];
    }
    const parse = SETTINGS[name];
    if (!parse) {
      if (ENV_ONLY.includes(name)) diags.error(`${entry.key}: can only be set as an environment variable`, entry.span);
      else diags.error(`${entry.key}: not a known configuration option`, entry.span, didYouMean(name, Object.keys(SETTINGS)) ?? 'spec.md "Config block" lists the settings');
      continue;
    }
    const v = rawValue(entry.value);
    const why = v === null ? 'expecting a number or a word' : parse(v, values);
    // A message that names the setting itself ("Invalid value for license. …") needs no prefix.
    if (why) diags.error(why.startsWith(`Invalid value for ${name}.`) ? why : `${entry.key}: ${why}`, entry.value.span);
  }
  for (const [name, parse] of Object.entries(SETTINGS)) {
    const key = `BPFTRACE_${name.toUpperCase()}`;
    const v = env[key];
    if (v === undefined) continue;
    const why = parse(v, values);
    if (why) diags.error(`${key}: ${why}`);
  }
  return { values, warnings };
}
