// The contract between the passes and the modules that define builtins, functions and
// aggregations. A module declares its name, its type rule, its IR emission and, when asynchronous,
// how the runtime handles its event; an aggregation also how its values print. Passes look
// definitions up by name; they never switch on names. What the user-space side may ask of the
// runtime (output, maps, host lookups, value formats) is in ./runtime-contract.ts.

import type { Dialect } from '../../common/dialect';
import type { Builtin, Call, Expr, Span } from '../ast';
import type { Builder, Context, Fn, Module, Ty, Val } from '../codegen/llvm';
import type { ExpandedProbe } from '../probes';
import type { MapDef } from '../codegen/map-defs';
import type { AddrSpace, AggType, IntType, StackMode, Type } from '../../common/types';

import type { MapInfo } from '../semantic/checked-program';
import type { CoreMember } from '../semantic/core-member';
import type { AggregateValue, EventData, EventHandler } from './runtime-contract';
import type { Example } from './example';

export type * from './runtime-contract';
export type { Example } from './example';

/** Read-only configuration slots the runtime fills in before load (see codegen/program.ts). */
export type ConfigName = 'cpid' | 'start_ns' | 'ncpus' | 'wall_at_boot' | 'argc' | `arg${number}` | `str${number}` | `opt${number}`;

/** Settings of the whole program that type rules and IR emission read. */
export interface LanguageOptions {
  /** Command-line arguments after the script: `$1` is positionals[0]. */
  readonly positionals: readonly string[];
  /** Capacity of str() results, NUL included. */
  readonly strLen: number;
  /** --unsafe: side-effecting functions (system, signal …) are allowed. */
  readonly unsafe: boolean;
  /** -k (1) / -kk (2): which failing BPF helpers report a warning at run time (helper-error.ts). */
  readonly helperErrors: number;
  /** The config block's stack_mode: kstack/ustack without a mode use it (bpftrace when unset). */
  readonly stackMode?: StackMode;
  /** The config block's max_cat_bytes (or BPFTRACE_MAX_CAT_BYTES): what cat() reads at most. */
  readonly catBytes?: number;
  /** Which bpftrace the program means what it means in (common/dialect.ts): 0.26 has bool results. */
  readonly dialect: Dialect;
  /** Named program options (`-- --name=value`), for getopt(). */
  readonly namedOptions?: ReadonlyMap<string, string | true>;
  /** An artifact's `str($N)`: N whose text is read from the config slot `strN` at run time. */
  readonly loadTimeTexts?: readonly number[];
  /** An artifact's getopt() options: the N-th is read from the config slot `optN` at run time. */
  readonly loadTimeOptions?: readonly import('./getopt').DeclaredOption[];
}

/** What a type rule may ask of the semantic pass. */
export interface CheckContext {
  readonly probe: ExpandedProbe;
  readonly options: LanguageOptions;
  /** Address space of pointers this probe's raw arguments hold (user for uprobes). */
  defaultSpace(): AddrSpace;
  /** Type-checks a sub-expression and returns its type. */
  typeOf(e: Expr): Type;
  error(message: string, node: { span: Expr['span'] }, hint?: string): void;
  /** A compile-time warning, printed on stderr before the run (once, however often checked). */
  warning?(message: string, node: { span: Expr['span'] }, hint?: string): void;
  /** Registers an asynchronous action (an event the runtime handles) and returns its id. */
  addEvent(call: Call, fn: string, data: EventData): number;
  /**
   * Under -k (`level` 1) or -kk (2), a failure of `helper` at `node` is reported at run time with
   * its span, as bpftrace's -k does (`level` 0: always); codegen then calls EmitContext.reportHelper there.
   */
  watchHelper(node: { span: Span }, helper: string, level: 0 | 1 | 2, span?: Span): void;
  /** Whether `e` is a statement of its own, its value discarded (`delete(@m, k);`). */
  isStatement?(e: Expr): boolean;
}

/** A value during code generation: integers are i64 values, strings and tuples pointers to bytes. */
export interface CgValue {
  type: Type;
  v: Val;
}

export interface EmitContext {
  readonly c: Context;
  readonly b: Builder;
  readonly m: Module;
  readonly probe: ExpandedProbe;
  readonly options: LanguageOptions;
  /** The program's context argument (i8*). */
  readonly ctxArg: Val;
  readonly i64: Ty;
  readonly i8p: Ty;
  emit(e: Expr): CgValue;
  typeOf(e: Expr): Type;
  /**
   * `size` bytes zeroed once when the program starts, as i8*: on the stack when small, else in
   * the program's per-CPU scratch map so the 512-byte stack is not exhausted. `stackOnly`: always on
   * the stack (a helper such as bpf_for_each_map_elem takes only stack pointers); keep it small.
   */
  zeroed(size: number, name?: string, stackOnly?: boolean): Val;
  /**
   * A zeroed slot shared by all users of the same `name` and `size` in this program, for values
   * written whole just before each use (or never written): see ProbeEmitter.reusableSlot.
   */
  reusableSlot(name: string, size: number): Val;
  /**
   * `size` bytes of per-CPU scratch memory (not zeroed), private to this call site: for strings
   * and other values too big for the stack. With `shared`, every call site passing the same key
   * (and size) gets the same region: for large records used only until the call ends.
   */
  scratch(size: number, name?: string, shared?: string): Val;
  /** The current function, for appending blocks. */
  readonly fn: Fn;
  /** Copies `v` into `size` bytes at `dst` (strings: the bytes; integers: stored as `bits`). */
  storeValue(v: CgValue, dst: Val, slotType: Type): void;
  /** Sends `size` bytes at `record` to user space through the event ring buffer. */
  submitEvent(record: Val, size: number): void;
  /** Id registered by addEvent for this call during checking. */
  eventId(call: Call): number;
  /** Reports `result` of the helper watched at `node` when it failed (negative, or a null pointer). */
  reportHelper(node: object, result: Val, failed: 'negative' | 'null'): void;
  /** Jumps out of the current program (exit() stops the probe right there, like bpftrace). */
  returnFromProgram(): void;
  /** exit(): attached probes do nothing from now on (see ModuleGlobals.exited). */
  markExited(): void;
  /**
   * `base` (an i64 address) plus the offset of `member` in `struct` (`offset` on the build
   * kernel), as a CO-RE relocation libbpf fixes for the running kernel (an artifact's reads; see
   * src/semantic/core-member.ts).
   */
  relocatedMember(base: Val, struct: string, member: string, shape: CoreMember, offset: number): Val;
  /** The address (i8*) of a byte-array configuration slot (an artifact's `strN`), fixed before load. */
  configBytes(name: ConfigName): Val;
  /** The value of a runtime configuration slot (cpid …), fixed before load. */
  config(name: ConfigName): Val;
  constInt(v: bigint | number): Val;
  /** A string constant copied into a stack slot (NUL-terminated), as a string value. */
  stringConstant(s: string): CgValue;
  /**
   * A static function of this program, made once per name by `build` (its entry block is current):
   * a callback for bpf_for_each_map_elem, which the verifier wants static and described in BTF.
   */
  staticFunction(name: string, ret: Ty, params: Ty[], build: (b: Builder, fn: Fn) => void): Fn;
  /**
   * A runtime map shared by every program of the object (stack traces), defined by the first call
   * with this name; later calls return the same global.
   */
  sharedMap(def: MapDef): Val;
  /** A script map ("@", "@x"): its BPF map global and what analysis knows of it; undefined if none. */
  map(name: string): { global: Val; info: MapInfo } | undefined;
}

export interface BuiltinDef {
  name: string;
  check(ctx: CheckContext, node: Builtin): Type;
  emit(ctx: EmitContext, node: Builtin): CgValue;
  /** Tiny programs showing it at work, run in the kernel by test/registry-examples.test.ts (./example.ts). */
  examples?: readonly Example[];
}

export interface FunctionDef {
  name: string;
  check(ctx: CheckContext, call: Call): Type;
  emit(ctx: EmitContext, call: Call): CgValue;
  event?: EventHandler;
  /** Tiny programs showing it at work, run in the kernel by test/registry-examples.test.ts (./example.ts). */
  examples?: readonly Example[];
}

/**
 * A map function such as count() or hist(): only valid as `@m[k] = f(...)`. Its per-CPU value is
 * updated in place; user space combines the CPUs' values.
 */
export interface AggregateDef {
  name: string;
  /** Type rule; returns the aggregation type stored in the map. */
  check(ctx: CheckContext, call: Call): AggType;
  /** Bytes of one CPU's value. */
  valueSize(t: AggType): number;
  /** Updates the value at `slot` (i8*, zero-initialised when new) with this call's arguments. */
  emitUpdate(ctx: EmitContext, call: Call, t: AggType, slot: Val): void;
  /** Combines every CPU's bytes into one value. */
  combine(t: AggType, perCpu: DataView[]): AggregateValue;
  /**
   * The entries' values seen together before printing, when one entry's text depends on the others
   * (tseries: every entry shows the map's newest intervals). Returns the values in the same order.
   */
  alignEntries?(values: readonly AggregateValue[], t: AggType): AggregateValue[];
  /** Reading the map in a probe (`$x = @c`): see codegen/agg-read.ts. Absent when the value is
   * not one number (hist, lhist, stats). */
  read?: AggregateRead;
  /** Text of a combined value as a map entry shows it; print()'s `div` divides it (1n: no division). */
  text(v: AggregateValue, t: AggType, div: bigint): string;
  /** JSON of a combined value (-f json). */
  json(v: AggregateValue, t: AggType, div: bigint): string;
  /** Text of a value where a dialect prints it otherwise (stats() in 0.26: `{ .count = 1, … }`). */
  textIn?: Partial<Record<Dialect, (v: AggregateValue, t: AggType, div: bigint) => string>>;
  /** JSON of a value where a dialect writes it otherwise (hist() in 0.26: 64-bit bounds). */
  jsonIn?: Partial<Record<Dialect, (v: AggregateValue, t: AggType, div: bigint) => string>>;
  /** The number map entries are sorted by, ascending. */
  sortKey(v: AggregateValue, t: AggType): bigint;
  /** The JSON line's "type": plain values "map", averages "stats", histograms "hist", time series "tseries". */
  jsonKind: 'map' | 'stats' | 'hist' | 'tseries';
  /**
   * The text layout of a map of these values: 'line' one `@m[k]: v` line per entry; 'averaged'
   * the same, then a blank line after the entries (two for an empty map); 'histogram' `@m[k]: `,
   * the value's own lines and a blank line per entry.
   */
  layout: 'line' | 'averaged' | 'histogram';
  /** A keyless map still prints when never updated (count() prints 0; the others nothing). */
  printsWhenZero: boolean;
  /** print()'s top and div do not apply (bpftrace warns at compile time). */
  ignoresTopDiv?: boolean;
  /** Entries with equal sortKey print in order of their key's bytes, as bpftrace 0.17 keeps them. */
  tiesByKeyBytes?: boolean;
  /** Printed as this dialect prints it whichever is chosen (a construct only it has: tseries). */
  printsAs?: Dialect;
  /** Type name in messages; default `${name}_t`. */
  typeName?(t: AggType): string;
  /** How --metrics exposes its values to Prometheus (runtime/metrics/); absent: not exposed. */
  metrics?: AggregateMetrics;
  /** Tiny programs showing it at work, run in the kernel by test/registry-examples.test.ts (./example.ts). */
  examples?: readonly Example[];
}

/**
 * A Prometheus view of an aggregation's values. Counters and gauges: one family per field, named
 * after the map with the field's suffix ('' for the map's own name). Histograms: bucket `i` holds
 * the values up to `le(t)[i]` (inclusive); the last bucket, past every bound, is +Inf. `trim`: only
 * the buckets from the lowest to the highest ever filled are exposed (the rest count nothing).
 */
export type AggregateMetrics =
  | { type: 'counter' | 'gauge'; fields: readonly MetricField[] }
  | { type: 'histogram'; le(t: AggType): readonly bigint[]; counts(v: AggregateValue, t: AggType): readonly bigint[]; trim: boolean };

export interface MetricField {
  suffix: string;
  /** The family's HELP text after the map's name. */
  help: string;
  value(v: AggregateValue, t: AggType): number;
}

/** Folds each CPU's slot into one integer; `acc` is two i64 slots, zero before the first CPU. */
export interface AggregateRead {
  type(t: AggType): IntType;
  step(ctx: EmitContext, t: AggType, acc: [Val, Val], slot: Val): void;
  finish(ctx: EmitContext, t: AggType, acc: [Val, Val]): Val;
}
