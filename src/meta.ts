// ProgramMeta: everything the runtime needs besides the ELF object. Plain JSON-able data, so the
// compiler and the runtime share no objects (data flows one way through the pipeline).

import type { EventSpec } from './semantic/analysis';
import type { Type } from './types';
import type { Diagnostic } from './diagnostics';

export interface ProbeMeta {
  progName: string;
  provider: string;
  name: string;
  attach: Record<string, string | number | boolean>;
  runOnce?: 'begin' | 'end';
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

/** Indexes into the per-CPU `stats` array map. */
/**
 * Put before the script's name in the debug info, so LLVM cannot open the script: its BTF
 * emission would copy each line's text into the string table and look each one up again with a
 * linear scan of the table for every line record, quadratic in the program's size (1.5 of 7 s for
 * 2,000 probes). The verifier's log then names `./bpfscript:FILE:LINE`, with no line text.
 */
export const BTF_FILE_PREFIX = 'bpfscript:';

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
  rodata: { size: number; offsets: Record<string, number> };
  /** Compile-time warnings, shown on stderr before running (they survive the compile cache). */
  warnings?: Diagnostic[];
  /** Compiled with --unsafe (system(), signal(), override() allowed): it runs only with --unsafe. */
  unsafe?: boolean;
}
