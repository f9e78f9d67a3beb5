// Kernel memory in expressions: casts to integer and pointer types, sizeof, `*p`, `p[N]`, and
// members reached with `.` and `->` (tracepoint and function arguments, then structs planned from
// BTF; see kernel-types.ts).

import { enumCastType, withFieldEnum } from './enums';
import type { Cast, FieldAccess, Index, Sizeof, Unary } from '../ast';
import { storageType } from '../functions/storage';
import { isAddressBytes } from '../functions/pton';
import { didYouMean, withSuggestion } from '../suggest';
import { cSizeOf, derefSpace, intType, namedIntType, none, sizeOf, u64, type AddrSpace, type IntType, type StringType, type TupleType, type Type } from '../../common/types';
import { typeName } from '../type-name';
import { recordOfCopy } from './blob-layout';
import { asInteger, bool, isBoolCast } from './bools';
import { recordField } from './record-rules';
import { findNamedType, kernelBtf, planMember, pointerTo, structOf } from './kernel-types';
import { derefType, indexType, intPointerFromCType, literalIndex } from './pointers';
import { constantInteger } from './constant-fold';
import type { ProbeChecker } from './probe-checker';
import { fieldType } from '../../common/kernel/tracefs';
import { Btf } from '../../common/kernel/btf';
import { coreMember } from './core-member';

/** `*p`: the element a pointer points to (src/semantic/pointers.ts). */
export function deref(c: ProbeChecker, e: Unary): Type {
  const t = c.typeOf(e.operand);
  if (t.kind === 'none') return none;
  const r = derefType(t);
  if ('error' in r) {
    c.error(r.error, e);
    return none;
  }
  return r;
}

/** `p[N]` and `arr[N]`, with N a literal, as bpftrace 0.17 requires. */
export function index(c: ProbeChecker, e: Index): Type {
  if (e.target.kind === 'FieldAccess') c.indexTargets.add(e.target);
  const t = c.typeOf(e.target);
  c.typeOf(e.index);
  if (t.kind === 'none') return none;
  if (t.kind === 'tuple') return tupleIndex(c, e, t);
  if (t.kind === 'string' && !t.layout && !t.format) return stringIndex(c, e, t);
  const n = literalIndex(e.index);
  if (n === null && c.a.dialect === '0.17') {
    c.error('The array index operator [] only accepts literal integer indices.', e, 'write the index as a number ($p[2]); for a computed index, use pointer arithmetic: *($p + $i)');
    return none;
  }
  // A computed index (bpftrace 0.22+), and any index of a flexible array member (`int y[0]`), is
  // read at run time; elements of a copy in the program's memory are bounds-checked then.
  if (n === null || (c.a.dialect !== '0.17' && isFlexible(t))) return runtimeIndex(c, e, t);
  const r = indexType(t, n, derefSpace(t, c.defaultSpace()));
  if ('error' in r) {
    c.error(r.error, e);
    return none;
  }
  c.a.constants.set(e.index, n);
  return r;
}

const isFlexible = (t: Type): boolean => t.kind === 'string' && t.layout?.kind === 'array' && t.layout.length === 0;

function runtimeIndex(c: ProbeChecker, e: Index, t: Type): Type {
  const it = c.typeOf(e.index);
  if (it.kind !== 'int' && it.kind !== 'none') {
    c.error(`an index must be an integer, got ${typeName(it)}`, e.index);
    return none;
  }
  if (t.kind === 'string' && !t.layout && !t.format) return intType(8, true);
  const layout = t.kind === 'string' ? t.layout : undefined;
  // The element type, as index 0 of a non-empty array would have it.
  const r = indexType(layout?.kind === 'array' && layout.length === 0 ? { ...(t as StringType), layout: { ...layout, length: 1 } } : t, 0, derefSpace(t, c.defaultSpace()));
  if ('error' in r) {
    c.error(r.error, e);
    return none;
  }
  return r;
}

/**
 * `t[N]` of a tuple (bpftrace 0.25+), `t.N` by another spelling: N must be known when compiling,
 * a literal or arithmetic of literals (`t[1 + 1]`).
 */
function tupleIndex(c: ProbeChecker, e: Index, t: TupleType): Type {
  const n = constantInteger(e.index);
  if (n === null) {
    c.error('a tuple index must be known when compiling: an integer literal or arithmetic of literals', e.index, 'tuple elements have types of their own, so $t[$i] has no one type; write $t[0] or $t.0');
    return none;
  }
  if (n < 0n || n >= BigInt(t.elems.length)) {
    c.error(`Invalid tuple index: ${n}. Found ${t.elems.length} elements in tuple.`, e.index);
    return none;
  }
  c.a.constants.set(e.index, Number(n));
  return t.elems[Number(n)];
}

/** `s[N]` of a string (bpftrace 0.25+): its byte N as an int8; N known when compiling. */
function stringIndex(c: ProbeChecker, e: Index, t: StringType): Type {
  const n = constantInteger(e.index);
  if (n === null) return runtimeIndex(c, e, t);
  if (n < 0n || n >= BigInt(t.size)) {
    c.error(`the index ${n} is out of bounds for array of size ${t.size}`, e.index);
    return none;
  }
  c.a.constants.set(e.index, Number(n));
  return intType(8, true);
}

/** `(T)x`: integer casts, and pointer casts into the probe's address space. */
export function cast(c: ProbeChecker, e: Cast): Type {
  const operand = c.typeOf(e.operand);
  if (isBoolCast(e.type.name, e.type.pointerDepth, c.a.dialect) && e.type.arrayLength === null) return boolCast(c, e, operand);
  if (e.type.arrayLength !== null && e.type.pointerDepth === 0 && namedIntType(e.type.name)) return toArrayCast(c, e, operand);
  // An integer array, or pton()'s address bytes (`(uint32)pton("127.0.0.1")`, as bpftrace's docs compare them).
  const fromArray = operand.kind !== 'string' ? undefined : isAddressBytes(operand) ? operand.size - 1 : operand.layout?.kind === 'array' && operand.layout.elem.kind === 'int' ? cSizeOf(operand) : undefined;
  const named = e.type.pointerDepth === 0 ? namedIntType(e.type.name) : undefined;
  if (fromArray !== undefined && named) {
    if (fromArray === named.bits / 8) return named;
    c.error(`cannot cast ${typeName(operand)} (${fromArray} bytes) to ${e.type.name} (${named.bits / 8} bytes): the sizes must match`, e);
    return none;
  }
  const from = asInteger(operand);
  const asEnum = e.type.pointerDepth === 0 && e.type.arrayLength === null ? enumCastType(e.type.name, c.a.dialect) : undefined;
  const to: IntType | undefined = asEnum ?? (e.type.pointerDepth > 0 ? pointerCast(c, e, from) : namedIntType(e.type.name));
  if (to === undefined && e.type.pointerDepth > 0) return none;
  if (!to || e.type.arrayLength !== null) {
    c.error(`cannot cast to ${e.type.name}${e.type.arrayLength !== null ? `[${e.type.arrayLength}]` : ''}`, e.type, 'integer casts are supported: (uint8), (int32), (uint64) …');
    return none;
  }
  if (from.kind !== 'int') {
    if (from.kind !== 'none') c.error(`cannot cast ${typeName(from)} to ${e.type.name}`, e);
    return none;
  }
  return to;
}

/**
 * `(int8[8])x` (bpftrace 0.20+): an integer's bytes as an array of integers (little-endian), the
 * sizes equal; `(uint64)arr` is the reverse (cast() above).
 */
function toArrayCast(c: ProbeChecker, e: Cast, from: Type): Type {
  const elem = namedIntType(e.type.name)!;
  const bytes = elem.bits / 8;
  const src = asInteger(from);
  // A plain string's bytes, its NUL padding included (bpftrace 0.22+: (int8[])"hello" has 6).
  const fromText = src.kind === 'string' && src.format === undefined && src.layout === undefined ? src.size : undefined;
  if (src.kind !== 'int' && fromText === undefined) {
    if (src.kind !== 'none') c.error(`cannot cast ${typeName(from)} to ${e.type.name}[${e.type.arrayLength || ''}]`, e, 'integers and strings cast to arrays of integers of the same size: (int8[8])x, (uint8[])"abc"');
    return none;
  }
  const have = fromText ?? (src as IntType).bits / 8;
  const n = e.type.arrayLength || have / bytes;
  if (n * bytes !== have) {
    c.error(`cannot cast ${typeName(src)} (${have} bytes) to ${e.type.name}[${e.type.arrayLength || ''}] (${e.type.arrayLength ? `${n * bytes} bytes` : `not a whole number of ${bytes}-byte elements`}): the sizes must match`, e);
    return none;
  }
  const bool = isBoolCast(e.type.name, 0, c.a.dialect) ? { bool: true as const } : {};
  return { kind: 'string', size: n * bytes + 1, format: 'array', layout: { kind: 'array', elem: { kind: 'int', bytes: bytes as 1 | 2 | 4 | 8, signed: elem.signed, ...bool }, elemSize: bytes, length: n } };
}

/** `(bool)x` (bpftrace 0.24+): an integer or pointer is true when not 0, a string when not empty. */
function boolCast(c: ProbeChecker, e: Cast, from: Type): Type {
  if (from.kind === 'int' || from.kind === 'bool' || (from.kind === 'string' && !from.format && !from.layout)) return bool;
  if (from.kind !== 'none') c.error(`cannot cast ${typeName(from)} to bool`, e, 'integers, pointers and strings cast to bool');
  return none;
}

/** `(T *)x`: an address in the probe's memory; a struct or union T makes `->` work on it. */
function pointerCast(c: ProbeChecker, e: Cast, from: Type): IntType | undefined {
  // A typed kernel pointer (ctx, curtask) stays one in a uprobe: (struct pt_regs *)ctx.
  const space = from.kind === 'int' && from.space === 'kernel' && from.ctype ? 'kernel' : c.defaultSpace();
  const depth = e.type.pointerDepth;
  const ctype = (n: number) => `${e.type.name} ${'*'.repeat(n)}`;
  // `(T **)x` points to a `T *`: each level's element is the pointer one level down.
  const wrap = (first: IntType): IntType => {
    let p = first;
    for (let n = 2; n <= depth; n++) p = { ...u64, space, elem: p, ctype: ctype(n) };
    return p;
  };
  const int = namedIntType(e.type.name);
  if (int) return wrap({ ...u64, space, elem: int, ctype: ctype(1) });
  if (e.type.name === 'void') return wrap({ ...u64, space });
  const btf = kernelBtf();
  const id = btf ? findNamedType(btf, e.type.name) : null;
  if (id === null || !btf) {
    if (!/^(struct|union|enum)\s/.test(e.type.name)) return wrap({ ...u64, space });
    c.error(`unknown type '${e.type.name}'`, e.type, btf ? 'kernel types come from /sys/kernel/btf/vmlinux; check the spelling' : 'this kernel exposes no BTF (/sys/kernel/btf/vmlinux)');
    return undefined;
  }
  const p = pointerTo(btf, id, space, ctype(1));
  const guessed = depth === 1 && space === 'kernel' && !(from.kind === 'int' && from.space);
  return wrap(guessed ? { ...p, spaceGuessed: true } : p);
}

/** `sizeof(T)` and `sizeof(x)`: a u64 constant, recorded for codegen. */
export function sizeofExpr(c: ProbeChecker, e: Sizeof): Type {
  if (e.type) {
    const t = e.type.pointerDepth > 0 ? u64 : namedIntType(e.type.name) ?? btfSizeType(c, e.type.name);
    if (!t) {
      c.error(`unknown type '${e.type.name}' in sizeof`, e.type, 'sizeof knows integer types (uint8 … int64 and their C names) so far');
      return u64;
    }
    c.a.constants.set(e, e.type.arrayLength !== null ? sizeOf(t) * e.type.arrayLength : sizeOf(t));
    return u64;
  }
  const op = e.operand!;
  const t = c.typeOf(op);
  if (t.kind === 'none' || t.kind === 'agg' || t.kind === 'args') {
    if (!c.failed.has(op)) c.error(`sizeof cannot measure ${typeName(t)}`, op);
    return u64;
  }
  // Values are 64-bit in bpftrace unless their type says otherwise (fields, casts).
  const exact = t.kind === 'tuple' || op.kind === 'FieldAccess' || op.kind === 'Cast' || op.kind === 'Index' || (op.kind === 'Unary' && op.op === '*');
  const arrayLength = t.kind === 'string' ? t.arrayLength : undefined;
  c.a.constants.set(e, arrayLength ?? cSizeOf(exact ? t : storageType(t)));
  return u64;
}

/** A kernel type for sizeof: a record or integer of the BTF type's size (struct task_struct …). */
function btfSizeType(c: ProbeChecker, name: string): Type | undefined {
  const btf = kernelBtf();
  const id = btf ? findNamedType(btf, name) : null;
  const size = id !== null ? btf!.sizeOf(id) : null;
  return size === null ? undefined : { kind: 'record', btf: id!, name, size, space: 'kernel' };
}

/** `x.f` and `p->f`: a tracepoint's or function's argument, or a member in kernel (or user) memory. */
export function fieldAccess(c: ProbeChecker, e: FieldAccess): Type {
  const t = c.typeOf(e.target);
  if (t.kind === 'tuple') return recordField(c, e, t);
  // bpftrace 0.25+ follows any number of pointers to reach a member: `$pp.x` of a `struct X **`.
  let inner: Type = t;
  let derefs = 0;
  const btf = kernelBtf();
  const toStruct = (p: IntType) => p.pointee !== undefined && btf !== null && structOf(btf, p.pointee) !== null;
  while (inner.kind === 'int' && !toStruct(inner) && inner.elem?.kind === 'int' && (inner.elem.pointee !== undefined || inner.elem.elem)) {
    inner = inner.elem;
    derefs++;
  }
  if (derefs > 0 && inner.kind === 'int' && toStruct(inner)) return kernelField(c, e, inner, derefs);
  if (t.kind === 'record' || (t.kind === 'int' && t.pointee !== undefined)) return kernelField(c, e, t);
  const copy = recordOfCopy(t);
  if (copy) return kernelField(c, e, copy);
  if (t.kind !== 'args') {
    if (t.kind !== 'none') c.error(`cannot access field '${e.field}' of ${typeName(t)}`, e);
    return none;
  }
  // A probe type that types its own args (a uprobe's, from DWARF) decides; codegen still reads the
  // field as the format places it.
  const own = c.probe.type.argField?.(c.probe, e.field);
  if (own && 'error' in own) {
    c.error(own.error, e, own.hint);
    return none;
  }
  if (own) {
    const at = c.probe.format?.fields.find((x) => x.name === e.field);
    if (at) c.ap.argFields.set(e, { field: at, type: fieldType(at) });
    return at && own.kind === 'int' ? withFieldEnum(own, at.ctype, c.a.dialect) : own;
  }
  const f = c.probe.format?.fields.find((x) => x.name === e.field);
  if (!f) {
    const fields = c.probe.format?.fields.filter((x) => !x.name.startsWith('common_')).map((x) => x.name) ?? [];
    // A tracepoint's args are its format's fields; a function's are its parameters.
    const ofEvent = c.probe.type.namedArgs === 'tracepoint-fields';
    c.error(
      `${ofEvent ? c.probe.type.name : 'function'} ${c.probe.name} has no ${ofEvent ? 'field' : 'argument'} named '${e.field}'`,
      { span: e.fieldSpan },
      withSuggestion(didYouMean(e.field, fields), fields.length ? `its fields are: ${fields.join(', ')}` : undefined),
    );
    return none;
  }
  const plain = fieldType(f);
  const ft = plain.kind === 'int' ? withFieldEnum(plain, f.ctype, c.a.dialect) : plain;
  c.ap.argFields.set(e, { field: f, type: ft });
  // The probe type knows where pointer fields point (a syscall tracepoint's: user memory).
  if (ft.kind === 'int' && /\*\s*$/.test(f.ctype)) {
    const space: AddrSpace = c.probe.type.argsPointerSpace?.(c.probe) ?? 'kernel';
    return typedPointerField(c, f.name, f.ctype, space) ?? intPointerFromCType(f.ctype, space) ?? { ...ft, signed: false, space };
  }
  return ft;
}

/**
 * A pointer argument typed from BTF, so `->` works on it: a kfunc parameter by its prototype, a
 * tracepoint field by its C type when that names a struct (`struct task_struct * p`).
 */
function typedPointerField(c: ProbeChecker, name: string, ctype: string, space: AddrSpace): IntType | undefined {
  const btf = kernelBtf();
  if (!btf) return undefined;
  if (c.probe.type.namedArgs === 'btf-params') {
    const fn = c.probe.type.paramsOf ? c.probe.type.paramsOf(c.probe) : c.probe.format ? btf.findFunc(c.probe.format.name) : null;
    const p = fn?.params.find((x) => x.name === name);
    if (p && btf.resolve(p.type).kind === 'ptr') {
      const t = btf.resolve(p.type);
      if (t.kind === 'ptr') return pointerTo(btf, t.target, space, btf.typeName(p.type));
    }
    return undefined;
  }
  const m = /^(?:const\s+)?(struct|union)\s+(\w+)\s*\*$/.exec(ctype.trim());
  const id = m ? findNamedType(btf, `${m[1]} ${m[2]}`) : null;
  return id === null ? undefined : pointerTo(btf, id, space, ctype.trim());
}

/** `ptr->member` and `record.member` into kernel (or user) memory, planned from BTF. */
function kernelField(c: ProbeChecker, e: FieldAccess, t: Type, derefs = 0): Type {
  const btf = kernelBtf()!;
  // bpftrace 0.25+ made `.` dereference a pointer and `->` an alias of `.`; bpftrace 0.17 refused
  // the mismatched operator, so scripts it accepted mean the same here.
  const record = t.kind === 'record';
  const structId = t.kind === 'record' ? t.btf : structOf(btf, (t as IntType).pointee!);
  if (structId === null) {
    c.error(`cannot access member '${e.field}' of ${(t as IntType).ctype ?? 'a pointer'}: it does not point to a struct or union`, e);
    return none;
  }
  const space = (t.kind === 'record' ? t.space : (t as IntType).space) ?? 'kernel';
  const plan = planMember(btf, structId, e.field, !record, space, c.indexTargets.has(e));
  if ('error' in plan) {
    c.error(plan.error, { span: e.fieldSpan }, plan.names ? didYouMean(e.field, plan.names) : undefined);
    return none;
  }
  if (!record && (t as IntType).spaceGuessed) plan.legacyRead = true;
  if (derefs) plan.derefs = derefs;
  // Ids below a script BTF's first are the kernel's own.
  if (btf === Btf.vmlinux() || structId < btf.firstId) {
    const core = c.a.relocatable ? coreMember(btf, structId, e.field) : null;
    plan.layout = { struct: btf.typeName(structId), member: e.field, ...(core ? { core } : {}) };
  }
  c.a.kernelFields.set(e, plan);
  c.watchHelper(e, 'probe_read', 2);
  return plan.type;
}
