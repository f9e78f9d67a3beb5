// The contract between the passes and the modules that define builtins, functions and
// aggregations. A module declares its name, its type rule, its IR emission and, when asynchronous,
// how the runtime handles its event. Passes look definitions up by name; they never switch on names.

import type { Builtin, Call, Expr } from '../ast';
import type { Builder, Context, Module, Ty, Val } from '../codegen/llvm';
import type { ExpandedProbe } from '../probes';
import type { AggType, Type } from '../types';

/** What a type rule may ask of the semantic pass. */
export interface CheckContext {
  readonly probe: ExpandedProbe;
  /** Type-checks a sub-expression and returns its type. */
  typeOf(e: Expr): Type;
  error(message: string, node: { span: Expr['span'] }, hint?: string): void;
  /** Registers an asynchronous action (an event the runtime handles) and returns its id. */
  addEvent(call: Call, fn: string, data: EventData): number;
}

/** JSON-serialisable data an event handler needs at run time, fixed at compile time. */
export type EventData = { [k: string]: unknown };

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
  /** The program's context argument (i8*). */
  readonly ctxArg: Val;
  readonly i64: Ty;
  readonly i8p: Ty;
  emit(e: Expr): CgValue;
  typeOf(e: Expr): Type;
  /** Stack memory of `size` bytes, zeroed, as i8*. */
  zeroed(size: number, name?: string): Val;
  /** Copies `v` into `size` bytes at `dst` (strings: the bytes; integers: stored as `bits`). */
  storeValue(v: CgValue, dst: Val, slotType: Type): void;
  /** Sends `size` bytes at `record` to user space through the event ring buffer. */
  submitEvent(record: Val, size: number): void;
  /** Id registered by addEvent for this call during checking. */
  eventId(call: Call): number;
  /** Jumps out of the current program (exit() stops the probe right there, like bpftrace). */
  returnFromProgram(): void;
  /** The value of a runtime configuration slot (cpid …), fixed before load. */
  config(name: 'cpid'): Val;
  constInt(v: bigint | number): Val;
  /** A string constant copied into a stack slot (NUL-terminated), as a string value. */
  stringConstant(s: string): CgValue;
}

export interface BuiltinDef {
  name: string;
  check(ctx: CheckContext, node: Builtin): Type;
  emit(ctx: EmitContext, node: Builtin): CgValue;
}

/** User-space side of an asynchronous function. */
export interface EventHandler {
  handle(data: EventData, record: DataView, offset: number, length: number, rt: RuntimeServices): void;
}

export interface RuntimeServices {
  write(text: string): void;
  /** Ends tracing as exit() does: END, map printing, cleanup. */
  requestExit(): void;
}

export interface FunctionDef {
  name: string;
  check(ctx: CheckContext, call: Call): Type;
  emit(ctx: EmitContext, call: Call): CgValue;
  event?: EventHandler;
}

/**
 * Per-CPU combined value of an aggregation, as map printing (runtime/format/maps.ts) consumes it:
 * count/sum/min/max one number, avg/stats a count and a total, hist/lhist the bucket counts.
 */
export type AggregateValue = bigint | { count: bigint; total: bigint } | readonly bigint[];

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
}
