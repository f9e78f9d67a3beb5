// The language's value types, shared by the semantic pass (which infers them), codegen (which lays
// them out in BPF memory) and the runtime (which decodes and prints them). Plain data.

import { blobAlign, type BlobLayout } from './blob-layout';

/**
 * `space` marks an integer that is an address, and which memory it points into: str() and friends
 * pick the user or kernel read helper from it (syscall tracepoint pointer fields are user memory).
 */
export type IntType = {
  kind: 'int';
  bits: 8 | 16 | 32 | 64;
  signed: boolean;
  space?: AddrSpace;
  /**
   * A typed kernel pointer (`curtask`, `(struct task_struct *)x`, a kfunc's `struct file *file`):
   * the BTF id of what it points to, so `->` can find members. Still an integer in arithmetic.
   */
  pointee?: number;
  /** C spelling of the pointer's type, for messages ("struct task_struct *"). */
  ctype?: string;
  /**
   * Set on pointers whose element type is known (`(int32 *)x`, `curtask`, `struct C **`): what
   * `*p` and `p[i]` read, and the unit `p + n` steps in (src/semantic/pointers.ts).
   */
  elem?: Type;
  /**
   * `space` is only the probe's default, assumed for an integer cast to a struct pointer: its
   * members are read with the legacy bpf_probe_read, which picks user or kernel memory by the
   * address, as bpftrace 0.17 reads an address whose space it does not know.
   */
  spaceGuessed?: true;
  /** An enum's value (src/semantic/enums.ts): printed as the enumerator's name where one has it. */
  enum?: EnumNames;
};
/** An enum's name and its enumerators' names by value (decimal text, as JSON keeps it). */
export type EnumNames = { name: string; names: Record<string, string> };

/** The name of an enum-typed integer's value, or undefined (not an enum, or no enumerator has it). */
export function enumeratorName(t: Type, v: bigint): string | undefined {
  return t.kind === 'int' && t.enum ? t.enum.names[v.toString()] : undefined;
}
export type AddrSpace = 'user' | 'kernel';
export type BoolType = { kind: 'bool' };
/** A NUL-padded string of at most `size` bytes including the terminator (comm: 16). */
export type StringType = {
  kind: 'string';
  size: number;
  /**
   * A value that is not text in BPF but bytes some function recorded (ntop()'s address, buf()'s
   * data, a stack id …), turned into text in user space: the name of its ValueFormat in the
   * `formats` registry (src/functions/index.ts), declared by the function that makes it.
   */
  format?: string;
  /**
   * The bytes of a struct (format 'record', layout kind 'struct') or integer array (format
   * 'array', layout kind 'array') copied whole, printed from this; set for those two only.
   */
  layout?: BlobLayout;
  /** kstack/ustack: how frames print and how many are kept (src/functions/stack.ts). */
  stack?: StackSpec;
  /**
   * A char array read from BTF: its length in the kernel. `size` has one byte more, so that an
   * array filled to the end still prints whole with its terminator; sizeof() reports this.
   */
  arrayLength?: number;
  /**
   * Read with a capacity (str()): a value that fills it may have been cut, and prints with the
   * str_trunc_trailer (config, bpftrace 0.26's ".." under --compat 0.26) after it.
   */
  truncates?: true;
  /** strftime()'s format: its value is nanoseconds since boot, turned into wall-clock text when decoded. cgroup_path()'s hierarchy filter. */
  pattern?: string;
};
export type StackMode = 'bpftrace' | 'perf' | 'raw';
export type StackSpec = { mode: StackMode; depth: number };
/** `names`: a record's element names (common/records.ts), absent for a plain tuple. */
export type TupleType = { kind: 'tuple'; elems: Type[]; names?: string[] };
export type NoneType = { kind: 'none' };
/** A pointer to a tracepoint's `args` record (only ever dereferenced through fields). */
export type ArgsType = { kind: 'args'; probe: string };
/**
 * A struct or union from BTF reached by value (`curtask->thread`, `$f->f_path`): never copied,
 * only a place in `space` memory whose members `.` reads. Codegen carries its address as an i64.
 */
export type RecordType = { kind: 'record'; btf: number; name: string; size: number; space: AddrSpace };

/**
 * Aggregations live only as map values, stored per CPU and combined in user space. `agg` names the
 * aggregation's module in the `aggregates` registry (src/functions/index.ts), which owns the
 * value's layout, combining and printing. min, max, step: lhist()'s literal arguments.
 */
/** An aggregation's stored values; the optional fields are its literal arguments (hist's k as `fine`, lhist's bounds, tseries' window). */
export type AggType = { kind: 'agg'; agg: string; signed: boolean; fine?: bigint; min?: bigint; max?: bigint; step?: bigint; interval?: bigint; slots?: bigint; reduce?: string };

export type Type = IntType | BoolType | StringType | TupleType | NoneType | ArgsType | RecordType | AggType;

export const u64: IntType = { kind: 'int', bits: 64, signed: false };
export const s64: IntType = { kind: 'int', bits: 64, signed: true };
export const u32: IntType = { kind: 'int', bits: 32, signed: false };
export const s32: IntType = { kind: 'int', bits: 32, signed: true };
export const none: NoneType = { kind: 'none' };
export const intType = (bits: IntType['bits'], signed: boolean): IntType => ({ kind: 'int', bits, signed });
export const stringType = (size: number): StringType => ({ kind: 'string', size });

/** Bytes a value of this type occupies in a map key, map value or event record. */
export function sizeOf(t: Type): number {
  switch (t.kind) {
    case 'int':
      return t.bits / 8;
    case 'bool':
      return 1;
    case 'string':
      return t.size;
    case 'tuple':
      return tupleLayout(t).size;
    case 'none':
      return 0;
    case 'args':
      return 8;
    case 'record':
      return t.size;
    case 'agg':
      throw new Error(`aggregation ${t.agg} has no scalar size`);
  }
}

export function alignOf(t: Type): number {
  switch (t.kind) {
    case 'int':
      return t.bits / 8;
    case 'string':
      // As bpftrace 0.17 packs tuples: an array aligns as its elements, a struct copy not at all.
      return t.layout?.kind === 'array' ? blobAlign(t.layout) : 1;
    case 'tuple':
      return Math.max(1, ...t.elems.map(alignOf));
    case 'args':
      return 8;
    default:
      return 1;
  }
}

/** A struct or array copied by value: `size` counts one spare byte after its bytes. */
export function isBlob(t: Type): t is StringType & { layout: BlobLayout } {
  return t.kind === 'string' && t.layout !== undefined;
}

/** Bytes of a value as C lays it out (a copied struct or array without its spare byte). */
export function cSizeOf(t: Type): number {
  return isBlob(t) ? t.size - 1 : sizeOf(t);
}

/** C layout of a tuple: natural alignment, size rounded up to the largest member alignment. */
export function tupleLayout(t: TupleType): { offsets: number[]; size: number } {
  let off = 0;
  const offsets: number[] = [];
  for (const e of t.elems) {
    const a = alignOf(e);
    off = Math.ceil(off / a) * a;
    offsets.push(off);
    off += cSizeOf(e);
  }
  const a = alignOf(t);
  return { offsets, size: Math.ceil(off / a) * a };
}

/** Whether a value is a pointer with a known element type (arithmetic on it is scaled). */
export function isPointer(t: Type): t is IntType & { elem: Type } {
  return t.kind === 'int' && t.elem !== undefined;
}

/** A typed address (a cast, curtask, a BTF pointer): bpftrace 0.17 prints these as signed map values and hex keys. */
export function isTypedAddress(t: Type): boolean {
  return t.kind === 'int' && (t.elem !== undefined || t.pointee !== undefined);
}

/** Bytes one element of a pointer takes: the step of `p + 1` (as in C; 1 for an unsized element). */
export function pointerStep(t: IntType): number {
  const e = t.elem;
  if (!e) return 1;
  if (e.kind === 'int') return e.space !== undefined || e.elem !== undefined ? 8 : e.bits / 8;
  if (e.kind === 'record') return e.size;
  if (e.kind === 'string') return e.arrayLength ?? (isBlob(e) ? e.size - 1 : e.size);
  return Math.max(1, sizeOf(e));
}

/** The address space `*p` reads from: the pointer's own, else the probe's. */
export function derefSpace(t: Type, fallback: AddrSpace): AddrSpace {
  return (t.kind === 'int' && t.space) || fallback;
}

/** Byte offset of element `n` of an array value or pointer. */
export function indexOffset(t: Type, n: number): number {
  if (t.kind === 'int') return n * pointerStep(t);
  if (t.kind === 'string' && t.layout?.kind === 'array') return n * t.layout.elemSize;
  if (t.kind === 'string' && !t.layout) return n;
  throw new Error(`internal: index into ${t.kind}`);
}

export function typeEquals(a: Type, b: Type): boolean {
  return JSON.stringify(a, bigintReplacer) === JSON.stringify(b, bigintReplacer);
}

/**
 * Whether a binary operation on two integers is signed, by C's usual arithmetic conversions with
 * every value widened to 64 bits: unsigned when both are, or when either is an unsigned 64-bit value.
 */
export function arithSigned(a: IntType, b: IntType): boolean {
  if (!a.signed && !b.signed) return false;
  return !((!a.signed && a.bits === 64) || (!b.signed && b.bits === 64));
}

/** Integer widths a cast or sizeof may name, as bpftrace spells them and as C does. */
const NAMED_INTS: Record<string, IntType> = {};
for (const bits of [8, 16, 32, 64] as const) {
  NAMED_INTS[`int${bits}`] = intType(bits, true);
  NAMED_INTS[`uint${bits}`] = intType(bits, false);
  NAMED_INTS[`int${bits}_t`] = intType(bits, true);
  NAMED_INTS[`uint${bits}_t`] = intType(bits, false);
  NAMED_INTS[`u${bits}`] = intType(bits, false);
  NAMED_INTS[`s${bits}`] = intType(bits, true);
  NAMED_INTS[`__u${bits}`] = intType(bits, false);
  NAMED_INTS[`__s${bits}`] = intType(bits, true);
}
Object.assign(NAMED_INTS, {
  char: intType(8, true),
  'signed char': intType(8, true),
  'unsigned char': intType(8, false),
  short: intType(16, true),
  'unsigned short': intType(16, false),
  int: intType(32, true),
  'unsigned int': intType(32, false),
  unsigned: intType(32, false),
  long: intType(64, true),
  'unsigned long': intType(64, false),
  'long long': intType(64, true),
  'unsigned long long': intType(64, false),
  size_t: intType(64, false),
  ssize_t: intType(64, true),
  pid_t: intType(32, true),
  bool: intType(8, false),
});

/** The integer type a type name denotes, or undefined when it names no integer type. */
export function namedIntType(name: string): IntType | undefined {
  return NAMED_INTS[name];
}

function bigintReplacer(_k: string, v: unknown): unknown {
  return typeof v === 'bigint' ? v.toString() : v;
}

/**
 * A decoded runtime value, as the runtime hands it to formatting: integers as bigint, strings as
 * JS strings (cut at the first NUL), tuples as arrays.
 */
export type Value = bigint | string | boolean | Value[];
