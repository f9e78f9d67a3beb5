// What the semantic pass hands to code generation and, through ProgramMeta, to the runtime.

import type { Call, Expr, FieldAccess, For, Probe, Program, Span } from '../ast';
import type { AggregateDef, EventData } from '../functions';
import type { ExpandedProbe, ProbeType } from '../probes';
import type { AggType, StackMode, Type } from '../../common/types';
import type { ConfigValues } from './config';
import type { KernelField } from './kernel-types';
import type { TracepointField } from '../../common/kernel/tracefs';
import type { Diagnostic } from '../../common/diagnostics';
import type { Dialect } from '../../common/dialect';
import type { MetricsMeta } from '../compiled';

export type { KernelField } from './kernel-types';

export interface MapInfo {
  /** As the user writes it: "@", "@x". */
  name: string;
  /** Name of the BPF map in the ELF object (bpftrace's convention: AT_x). */
  bpfName: string;
  /** null for a keyless map (@x): a one-entry array. */
  keyType: Type | null;
  valueType: Type;
  /** Set when the value is an aggregation (count(), sum() …): stored per CPU. */
  aggregate?: AggregateDef;
  span: Span;
  /** `let @m = lruhash(N);`: the declared kind and size (map-decls.ts). */
  decl?: MapDecl;
}

export interface MapDecl {
  type: 'hash' | 'lruhash' | 'percpuhash' | 'percpulruhash';
  maxEntries: number;
}

export interface EventSpec {
  id: number;
  fn: string;
  data: EventData;
}

export interface AnalyzedProbe {
  probe: Probe;
  type: ProbeType;
  expanded: ExpandedProbe;
  /** Name of the BPF program (function) for this attach point. */
  progName: string;
  /** Types of $variables in this probe. */
  variables: Map<string, Type>;
  /**
   * `args.f` of this attach point: the record's field and the type it loads as. Per attach point,
   * since one probe's attach points lay out their records differently.
   */
  argFields: Map<FieldAccess, { field: TracepointField; type: Type }>;
  /** The same body through a cheaper mechanism, compiled beside this program (semantic/twins.ts). */
  twin?: AnalyzedProbe;
}

export interface Analysis {
  program: Program;
  probes: AnalyzedProbe[];
  types: Map<Expr, Type>;
  maps: Map<string, MapInfo>;
  events: EventSpec[];
  eventIds: Map<Call, number>;
  /** Helper-error events (-k) by the node whose helper call they watch. */
  helperEvents: Map<object, number>;
  /** Values fixed at compile time: sizeof results, unroll counts. */
  constants: Map<Expr, number>;
  /** Member accesses into kernel memory (`curtask->pid`), planned from BTF; see kernel-types.ts. */
  kernelFields: Map<Expr, KernelField>;
  /** Command-line arguments after the script: `$1` is positionals[0]. */
  positionals: string[];
  /**
   * Set for an artifact (`bpfscript build`): the `$N` (these N) and `$#` are integers read from
   * .rodata slots the runtime fills at load (config `argc`, `argN`), not literals.
   */
  loadTimePositionals?: number[];
  /** With loadTimePositionals: the N of `str($N)`, whose text is a .rodata slot (config `strN`) of strLen bytes. */
  loadTimeTexts?: number[];
  /** With loadTimePositionals: the getopt() options, read from the config slots `optN` (see LanguageOptions). */
  loadTimeOptions?: import('../functions/getopt').DeclaredOption[];
  /** An artifact's: kernel struct members are read at offsets libbpf relocates at load (CO-RE), where coreMember() allows. */
  relocatable?: boolean;
  /** Capacity of strings read by str() (bpftrace's BPFTRACE_STRLEN, default 64), NUL included. */
  strLen: number;
  /** `for ($kv : @m) { … }` loops: the variables of each body, which runs as a callback of its own. */
  forLoops: Map<For, Map<string, Type>>;
  /** Entries of each keyed map (bpftrace's BPFTRACE_MAP_KEYS_MAX, default 4096). */
  mapKeys: number;
  /** --unsafe was given: system() and other side-effecting functions are allowed. */
  unsafe: boolean;
  /** -k / -kk: see LanguageOptions.helperErrors. */
  helperErrors: number;
  /** `-- --name=value` program options, for getopt(). */
  namedOptions?: ReadonlyMap<string, string | true>;
  /** Which bpftrace the program means what it means in (common/dialect.ts). */
  dialect: Dialect;
  /** The script's config block (and BPFTRACE_* variables over it): what it set, nothing else. */
  config: ConfigValues;
  /** stack_mode: the mode of kstack/ustack written without one. */
  stackMode?: StackMode;
  /** max_cat_bytes: what cat() reads at most. */
  catBytes?: number;
  /** The config block's metrics_* settings (metrics-config.ts). */
  metrics?: MetricsMeta;
  /** Shown on stderr even when compilation succeeds (attach points dropped as bpftrace drops them). */
  warnings?: Diagnostic[];
}

export function isAggregate(t: Type): t is AggType {
  return t.kind === 'agg';
}
