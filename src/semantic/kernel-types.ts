// Kernel types from BTF as the language sees them: what type a struct member, a kfunc parameter or
// a `(struct X *)` cast has, and where a member lies. The semantic pass asks; codegen
// (src/functions/kernel-field.ts) follows the plan recorded here, so it never looks at BTF itself.
//
// Language types of BTF types:
//   integers and enums  → int of their size and signedness (bitfields: their storage, then masked)
//   pointers            → u64 address in the same memory, remembering the pointee for `->`
//   char arrays         → strings of the array's length (bpftrace prints them as text)
//   structs and unions  → records: a place in memory whose members `.` reaches

import type { CoreMember } from './core-member';
import { Btf, type TypeId } from '../../common/kernel/btf';
import { arrayValueType, blobLayout } from './blob-layout';
import type { AddrSpace, IntType, Type } from '../../common/types';

let scriptBtf: Btf | null | undefined;

/** Kernel types, plus the C definitions of the script being analysed when it has any. */
export function kernelBtf(): Btf | null {
  return scriptBtf === undefined ? Btf.vmlinux() : scriptBtf;
}

/** Makes `btf` (vmlinux with a script's definitions over it) what kernelBtf() answers from now on. */
export function useScriptTypes(btf: Btf | null | undefined): void {
  scriptBtf = btf;
}

/** How codegen reads one member access: address arithmetic, then (unless a record) one read. */
export interface KernelField {
  /** `->`: the target is a pointer value; `.`: the target is a record (already an address). */
  viaPointer: boolean;
  /** Byte offset of the member's storage from the struct's start. */
  offset: number;
  /** Bytes to read (int storage, array length); 0 for a record (no read). */
  bytes: number;
  /** Bitfields: shift and width after the read; width 0 when not a bitfield. */
  bitShift: number;
  bitWidth: number;
  space: AddrSpace;
  /** `.` through a pointer to a pointer (bpftrace 0.25+): how many pointers to read first. */
  derefs?: number;
  /** Read with the legacy bpf_probe_read: `space` was assumed for a cast integer (IntType.spaceGuessed). */
  legacyRead?: boolean;
  type: Type;
  /**
   * An array member that is the target of `[N]`: only the element is read (codegen/pointers.ts),
   * so arrays of any size can be indexed; `type` describes the array but is never materialised.
   */
  place?: boolean;
  /** For a kernel struct (not a script's): its name and the member, checked on another kernel at load (ProgramMeta.kernelLayout). */
  layout?: { struct: string; member: string; core?: CoreMember };
}

/** The language type of a value of BTF type `id` in memory `space`, or a reason it has none. */
export function languageType(btf: Btf, id: TypeId, space: AddrSpace): Type | string {
  const t = btf.resolve(id);
  switch (t.kind) {
    case 'int':
    case 'enum':
    case 'enum64': {
      const size = t.size;
      if (size !== 1 && size !== 2 && size !== 4 && size !== 8) return `${btf.typeName(id)} (${size} bytes) is not supported as a value`;
      return { kind: 'int', bits: (size * 8) as IntType['bits'], signed: t.kind === 'int' ? t.signed && !t.bool : t.signed };
    }
    case 'ptr':
      return pointerTo(btf, t.target, space, btf.typeName(id));
    case 'array': {
      const elem = btf.resolve(t.elem);
      // Only char arrays are text, as in bpftrace 0.17; u8/unsigned char arrays are arrays of numbers.
      if (elem.kind === 'int' && elem.name === 'char') return { kind: 'string', size: t.length + 1, arrayLength: t.length };
      return arrayValueType(btf, id, btf.sizeOf(id) ?? 0);
    }
    case 'struct':
    case 'union':
      return { kind: 'record', btf: t.id, name: `${t.kind} ${t.name || '(anonymous)'}`, size: t.size, space };
    case 'fwd': {
      const full = t.union ? btf.findUnion(t.name) : btf.findStruct(t.name);
      if (full) return { kind: 'record', btf: full.id, name: `${full.kind} ${full.name}`, size: full.size, space };
      return `${t.union ? 'union' : 'struct'} ${t.name} is only declared in BTF, not defined`;
    }
    case 'void':
      return 'void has no value';
    default:
      return `${btf.typeName(id)} is not supported as a value`;
  }
}

/** A u64 address into `space` that remembers what it points to (0: nothing known, e.g. void *). */
export function pointerTo(btf: Btf, target: TypeId, space: AddrSpace, ctype: string): IntType {
  const p: IntType = { kind: 'int', bits: 64, signed: false, space, ctype };
  const r = btf.resolve(target);
  if (r.kind === 'struct' || r.kind === 'union' || r.kind === 'fwd' || r.kind === 'ptr') p.pointee = target;
  // What `*p` reads; void * (and anything without a value type) stays a plain address.
  const elem = languageType(btf, target, space);
  if (typeof elem !== 'string') p.elem = elem;
  return p;
}

/**
 * The struct or union type a cast names (`struct task_struct`, `union bpf_attr`, a typedef such as
 * `pid_t` or `sk_buff`), or null.
 */
export function findNamedType(btf: Btf, name: string): TypeId | null {
  const m = /^(struct|union|enum)\s+(\w+)$/.exec(name);
  if (m) {
    const t = m[1] === 'struct' ? btf.findStruct(m[2]) : m[1] === 'union' ? btf.findUnion(m[2]) : btf.findEnum(m[2]);
    return t?.id ?? null;
  }
  if (/^\w+$/.test(name)) return btf.findTypedef(name)?.id ?? btf.findStruct(name)?.id ?? null;
  return null;
}

/** The struct (or union) record a pointer's pointee or a record names; null when not one. */
export function structOf(btf: Btf, id: TypeId): TypeId | null {
  const r = btf.resolve(id);
  if (r.kind === 'struct' || r.kind === 'union') return r.id;
  if (r.kind === 'fwd') return (r.union ? btf.findUnion(r.name) : btf.findStruct(r.name))?.id ?? null;
  return null;
}

/**
 * Plans `target.field` / `target->field` for a struct `structId` in `space`. Returns the plan, or an
 * error message and the member names for a hint.
 */
export function planMember(
  btf: Btf,
  structId: TypeId,
  field: string,
  viaPointer: boolean,
  space: AddrSpace,
  indexed = false,
): KernelField | { error: string; names?: string[] } {
  const m = btf.member(structId, field);
  const sname = btf.typeName(structId);
  if (!m) return { error: `${sname} has no member named '${field}'`, names: btf.memberNames(structId) };
  const arr = btf.resolve(m.type);
  if (indexed && arr.kind === 'array' && !m.bitSize && m.bitOffset % 8 === 0) {
    const elem = btf.resolve(arr.elem);
    const layout = elem.kind === 'int' && elem.name === 'char' ? undefined : blobLayout(btf, m.type);
    if (layout && typeof layout !== 'string') {
      const type: Type = { kind: 'string', size: (btf.sizeOf(m.type) ?? 0) + 1, format: 'array', layout };
      return { viaPointer, offset: m.bitOffset / 8, bytes: 0, bitShift: 0, bitWidth: 0, space, type, place: true };
    }
  }
  const type = languageType(btf, m.type, space);
  if (typeof type === 'string') return { error: `${sname}.${field}: ${type}` };
  if (m.bitSize) {
    // A bitfield: read the smallest aligned storage that holds it, then shift and mask.
    const storage = btf.sizeOf(m.type) ?? 4;
    const start = Math.floor(m.bitOffset / (storage * 8)) * storage;
    const bits = storage * 8;
    const fits = m.bitOffset + m.bitSize <= (start + storage) * 8;
    const bytes = fits ? storage : 8;
    return {
      viaPointer,
      offset: start,
      bytes,
      bitShift: m.bitOffset - start * 8,
      bitWidth: m.bitSize,
      space,
      type: { kind: 'int', bits: (fits ? bits : 64) as IntType['bits'], signed: false },
    };
  }
  if (m.bitOffset % 8) return { error: `${sname}.${field} is not byte-aligned` };
  const bytes = type.kind === 'record' ? 0 : type.kind === 'string' ? type.size - 1 : type.kind === 'int' ? type.bits / 8 : 0;
  return { viaPointer, offset: m.bitOffset / 8, bytes, bitShift: 0, bitWidth: 0, space, type };
}
