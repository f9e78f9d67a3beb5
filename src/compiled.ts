// The compiler's output and the runtime's input: the ELF object and ProgramMeta, everything the
// runtime needs besides it. Plain JSON-able data, so the compiler and the runtime share no
// objects (data flows one way through the pipeline).

import type { EventSpec } from './semantic/checked-program';
import type { Type } from '../common/types';
import type { Diagnostic } from '../common/diagnostics';
import type { Dialect } from '../common/dialect';
import type { IntervalAttach } from './probes/interval.attach';
import type { IterAttach } from './probes/iter.attach';
import type { KfuncAttach } from './probes/kfunc.attach';
import type { KprobeAttach } from './probes/kprobe.attach';
import type { CountedEventAttach, ProfileAttach } from './probes/perf-events.attach';
import type { RawTracepointAttach } from './probes/rawtracepoint.attach';
import type { SpecialAttach } from './probes/special.attach';
import type { RunAt } from './probes/types';
import type { TracepointAttach } from './probes/tracepoint.attach';
import type { UprobeAttach } from './probes/uprobe.attach';
import type { UsdtAttach } from './probes/usdt.attach';
import type { WatchpointAttach } from './probes/watchpoint.attach';

/**
 * What the runtime needs to attach one probe, by probe type: each record is declared once, in
 * src/probes/TYPE.attach.ts, and read by both halves of its type (src/probes/TYPE.ts writes it,
 * runtime/attach/TYPE.ts reads it). Plain JSON: the compile cache stores it.
 */
export type AttachRecord =
  | SpecialAttach
  | TracepointAttach
  | RawTracepointAttach
  | KprobeAttach
  | KfuncAttach
  | UprobeAttach
  | UsdtAttach
  | IntervalAttach
  | ProfileAttach
  | CountedEventAttach
  | IterAttach
  | WatchpointAttach;

/** One program to attach; `A` narrows `attach` to one probe type's record. */
export interface ProbeMeta<A extends AttachRecord = AttachRecord> {
  progName: string;
  provider: string;
  name: string;
  attach: A;
  runOnce?: RunAt;
  /** A program doing the same through a cheaper mechanism (a kprobe's fentry), attached instead
   * where the kernel takes it (runtime/attach/twin.ts). */
  twin?: { progName: string; attach: A };
}

export interface MapMeta {
  name: string;
  bpfName: string;
  keyType: Type | null;
  valueType: Type;
  /** Aggregation function name when the value is per-CPU. */
  aggregate?: string;
  keySize: number;
  valueSize: number;
  perCpu: boolean;
}

/**
 * Ring-buffer record ids of watchpoint setup programs (watchpoint-args): SETUP_EVENT_BASE + slot,
 * far above the ids of the script's own events (1, 2, …). The record is { u64 id, u64 address }.
 */
export const SETUP_EVENT_BASE = 2 ** 40;
export const SETUP_RECORD_SIZE = 16;

/**
 * Put before the script's name in the debug info of a program too large to carry its line text
 * (codegen/program.ts), so LLVM cannot open the script: its BTF emission would copy each line's
 * text into the string table and look each one up again with a linear scan of the table for every
 * line record, quadratic in the program's size (1.5 of 7 s for 2,000 probes). The verifier's log
 * then names `./bpfscript:FILE:LINE`, with no line text.
 */
export const BTF_FILE_PREFIX = 'bpfscript:';

/** Indexes into the per-CPU `stats` array map. */
export const enum Stat {
  LostEvents = 0,
  MapFull = 1,
  Count = 2,
}

export interface ProgramMeta {
  probes: ProbeMeta[];
  maps: MapMeta[];
  events: EventSpec[];
  /** Names of the runtime's own maps in the object. */
  eventsMap: string;
  statsMap: string;
  /** Byte offsets of the read-only config globals in `.rodata`, and its size. */
  rodata: { size: number; offsets: Record<string, number>; /** Slots other than 8-byte integers (an artifact's texts). */ sizes?: Record<string, number> };
  /** Compile-time warnings, shown on stderr before running (they survive the compile cache). */
  warnings?: Diagnostic[];
  /** Compiled with --unsafe (system(), signal(), override() allowed): it runs only with --unsafe. */
  unsafe?: boolean;
  /** Which bpftrace's output the session writes (common/dialect.ts); absent means 0.17. */
  dialect?: Dialect;
  /** config missing_probes: what a probe that fails to attach does (absent: the run fails). */
  missingProbes?: 'error' | 'warn' | 'ignore';
  /** config print_maps_on_exit = false: the maps are not printed when the session ends. */
  printMapsOnExit?: boolean;
  /** config str_trunc_trailer: appended to a string that filled its buffer when printed. */
  strTruncTrailer?: string;
  /** The config block's metrics_* settings, for --metrics (src/semantic/metrics-config.ts). */
  metrics?: MetricsMeta;
  /**
   * An artifact's kernel struct member reads, where the compiling kernel's BTF put them, checked
   * on another kernel before load (src/artifact/portability.ts).
   */
  kernelLayout?: KernelLayout[];
}

export interface MetricsMeta {
  /** Put before each map's name to make its metric name; default "bpfscript_". */
  prefix?: string;
  /** Label names of a map's key parts, by map name ("@x"). */
  labels?: Record<string, string[]>;
}

export interface KernelLayout {
  struct: string;
  member: string;
  offset: number;
  bytes: number;
  bitShift: number;
  bitWidth: number;
  /** An array member only indexed (`x->arr[i]`): its element is what is read. */
  indexed?: boolean;
  /** Its offset is a CO-RE relocation libbpf resolves at load: only its presence and size are checked. */
  relocated?: boolean;
}

/** What a compile produces and a session runs (the compile cache stores both parts). */
export interface CompiledProgram {
  elf: Buffer;
  meta: ProgramMeta;
  /** The optimised IR as text, when asked for (--emit-llvm, the teaching view). */
  ir?: string;
}
