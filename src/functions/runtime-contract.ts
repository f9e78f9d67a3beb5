// The user-space half of the function contract: what an event handler, a value format or an
// aggregation's printing may ask of the runtime. Declared here, in src/, so that function modules
// need nothing from runtime/; the runtime implements these interfaces (runtime/output.ts,
// runtime/read-maps.ts, runtime/format/host.ts).

import type { Dialect } from '../../common/dialect';
import type { Span } from '../ast';
import type { StringType, Type, Value } from '../../common/types';
import type { Example } from './example';

/** avg() and stats(): the per-CPU counts and totals summed. */
export interface AvgValue {
  count: bigint;
  total: bigint;
}

/**
 * Per-CPU combined value of an aggregation, as map printing consumes it: count/sum/min/max one
 * number, avg/stats a count and a total, hist/lhist the bucket counts.
 */
/** A combined aggregation value; an aggregation with its own structure (tseries) uses an object. */
export type AggregateValue = bigint | AvgValue | readonly bigint[] | { readonly [field: string]: unknown };

/** One entry's value: a decoded Value for plain maps, the combined value for aggregations. */
export type MapValue = Value | AggregateValue;

export interface MapEntry {
  /** Key components (one per key expression), or null for a scalar map. */
  key: Value[] | null;
  value: MapValue;
  /** The key's bytes as the kernel holds them, where known: bpftrace orders ties of histograms and
   * stats by them. */
  rawKey?: Uint8Array;
}

export interface MapData {
  /** As printed, including the '@': '@', '@x'. */
  name: string;
  /** null for a scalar map; a tuple type for a multi-key map `@m[a, b]`. */
  keyType: Type | null;
  valueType: Type;
  entries: readonly MapEntry[];
}

export interface PrintOptions {
  /** print(@m, top): only the last `top` entries after sorting; 0 = all. */
  top?: number;
  /** print(@m, top, div): divide printed values (hist: counts, not bars; lhist: ignored). */
  div?: number;
}

/** Where a session's output goes, in the format -f chose (runtime/output.ts). */
export interface OutputSink {
  /** "Attaching N probes..." (0.17), "Attached N probes" (0.26). */
  attached(probes: number): void;
  /** Text of printf() and other free-form output. */
  printf(text: string): void;
  /** time(fmt)'s formatted text. */
  time(text: string): void;
  /** Output of join() ("join", with a newline in text), cat() ("cat"), system() ("syscall"). */
  message(type: string, text: string, newline: boolean): void;
  /** print(expr). */
  value(t: Type, v: Value): void;
  /** print(@m, top, div). */
  map(m: MapData, opts?: PrintOptions): void;
  /** The dump after END. */
  exitMaps(maps: readonly MapData[]): void;
  /** The dump SIGUSR1 asks for while tracing: the same maps, without the exit dump's blank lines. */
  allMaps(maps: readonly MapData[]): void;
  /** Records the ring buffer had no room for. */
  lostEvents(n: bigint): void;
  /** All records lost in the run, once at its end (a warning on stderr in bpftrace 0.26). */
  lostTotal(n: bigint): void;
  /** A BPF helper that failed at `span` (-k/-kk): its return value, 0 for a lookup that found nothing. */
  helperError(helper: string, retcode: bigint, span: Span): void;
  flush(): void;
  close(): void;
  /** Holds what is written from now on apart, until the returned function takes it back (--test). */
  divert?(): () => string;
  /** -f json only: one `{"type": TYPE, "data": DATA}` line, DATA already JSON (test results). */
  record?(type: string, data: string): void;
}

/**
 * The script's maps by name, read and reset from user space (print, clear, zero): see
 * runtime/read-maps.ts ScriptMaps.
 */
export interface MapReader {
  read(name: string): MapData;
  readAll(): MapData[];
  /** Removes every key; a keyless aggregation is zeroed instead. */
  clear(name: string): void;
  /** Keeps every key with a zero value. */
  zero(name: string): void;
}

/**
 * What the live system answers while values are decoded: symbol tables, stack maps, the user
 * database, cgroup mounts, the boot clock. The runtime implements it per session
 * (runtime/format/host.ts); decoding outside a session gets no frames.
 */
export interface HostLookup {
  /** The frames of stack `id` in the stack map of `depth` frames, innermost first; null when absent. */
  stackFrames(depth: number, id: number): readonly bigint[] | null;
  /** A kernel address as a symbol ("vfs_read", with withOffset "vfs_read+4"), or its hex when unknown. */
  kernelSymbol(addr: bigint, withOffset: boolean): string;
  /** A user address of `pid` as a symbol, with its object ("main (/bin/x)") when withObject. */
  userSymbol(addr: bigint, pid: number, withOffset: boolean, withObject: boolean): string;
  /** The login name of `uid` from /etc/passwd, "" when unknown. */
  username(uid: bigint): string;
  /** The C library's message for an errno. */
  strerror(errno: bigint): string;
  /** The paths of cgroup `id` in every mounted hierarchy whose name matches `filter`. */
  cgroupPath(id: bigint, filter: string): string;
  /** Wall-clock nanoseconds at boot (what nsecs counts from). */
  wallClockAtBoot(): bigint;
  /** Printed after a str() value that filled its capacity (config str_trunc_trailer); none when absent. */
  readonly strTruncTrailer?: string;
}

/**
 * How a string-like value with a `StringType.format` is decoded and shown. Declared by the module
 * of the function that makes such values (ntop, buf, kstack …) and found through the `formats`
 * registry (src/functions/index.ts) by the format's name.
 */
export interface ValueFormat {
  name: string;
  /** The value from the bytes the probe recorded at `off`; asKey: they are (part of) a map key. */
  decode(view: DataView, off: number, t: StringType, host: HostLookup, asKey: boolean): Value;
  /** Text as a map value or print() shows it (asKey false), or as a map key part; default: the value. */
  text?(v: Value, t: StringType, asKey: boolean): string;
  /** JSON of the value (print(), map values); default: a JSON string of the value. */
  json?(v: Value, t: StringType): string;
  /** JSON where a dialect writes it otherwise (0.26 quotes what 0.17 wrote bare, records unspaced). */
  jsonIn?: Partial<Record<Dialect, (v: Value, t: StringType) => string>>;
  /** What printf's type check calls such a value; only 'string' is accepted by %s, 'buffer' by %r. */
  printf: 'string' | 'buffer' | 'array' | 'record';
  /** The value as a Prometheus label value (--metrics); default: its text as a map key shows it. */
  label?(v: Value, t: StringType): string;
  /** bpftrace 0.17 joins the entries of maps with such values without a newline (its quirk). */
  joinsMapLines?: boolean;
  /**
   * The type is named after the format in messages (kstack, ksym …), and values of it mix only
   * with values of exactly the same type.
   */
  namesType?: boolean;
  /**
   * Call stacks (kstack, ustack): which side, and a value's frames innermost first as function
   * names (offsets and addresses dropped; null where no symbol was found), for folded stacks and
   * flame graphs (runtime/flamegraph).
   */
  stack?: { user: boolean; frames(v: Value, t: StringType): (string | null)[] };
  /** Tiny programs showing it at work, run in the kernel by test/registry-examples.test.ts (src/functions/example.ts). */
  examples?: readonly Example[];
}

/** User-space side of an asynchronous function. */
export interface EventHandler {
  handle(data: EventData, record: DataView, offset: number, length: number, rt: RuntimeServices): void;
}

/** JSON-serialisable data an event handler needs at run time, fixed at compile time. */
export type EventData = { [k: string]: unknown };

export interface RuntimeServices {
  write(text: string): void;
  /** Which bpftrace's output the session writes (common/dialect.ts); absent means 0.17. */
  readonly dialect?: Dialect;
  /** Where output goes, in the format -f chose; write() is printf-like text through it. */
  readonly output: OutputSink;
  /** The script's maps, read and reset from user space (print, clear, zero). */
  readonly maps: MapReader;
  /** Decodes a value of type `t` recorded at `off` (event arguments), resolving formats. */
  decode(t: Type, view: DataView, off: number): Value;
  /** Ends tracing as exit() does: END, map printing, cleanup; `code` is the exit status to end with. */
  requestExit(code?: number): void;
  /**
   * Runs `work` and handles no further record until it settles, so its output keeps its place in
   * the stream while signals are still handled (system() runs its command this way). After SIGINT
   * or SIGTERM, `work` is not started outside END: commands queued behind Ctrl-C are dropped, as
   * bpftrace drops the events it has not handled yet.
   */
  hold(work: () => Promise<void>): void;
  /** Removes every hardware breakpoint set on `addr` (unwatch()); nothing happens when none is. */
  unwatch(addr: bigint): void;
  /** A message about the script at `span` on stderr, rendered as compile-time ones (errorf, warnf); --no-warnings drops warnings. */
  diagnostic(severity: 'ERROR' | 'WARNING', message: string, span: Span): void;
}
