// Kernel memory in expressions: casts to integer and pointer types, sizeof, `*p`, `p[N]`, and
// members reached with `.` and `->` (tracepoint and function arguments, then structs planned from
// BTF; see kernel-types.ts).

import type { Cast, FieldAccess, Index, Sizeof, Unary } from '../ast';
import { storageType } from '../functions/storage';
import { didYouMean, withSuggestion } from '../suggest';
import { cSizeOf, derefSpace, namedIntType, none, sizeOf, u64, type AddrSpace, type IntType, type Type } from '../types';
import { typeName } from '../type-name';
import { recordOfCopy } from './blob-layout';
import { findNamedType, kernelBtf, planMember, pointerTo, structOf } from './kernel-types';
import { derefType, indexType, intPointerFromCType, literalIndex } from './pointers';
import type { ProbeChecker } from './probe-checker';
import { fieldType } from '../kernel/tracefs';
import { Btf } from '../kernel/btf';
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
  const n = literalIndex(e.index);
  if (n === null) {
    c.error('The array index operator [] only accepts literal integer indices.', e, 'write the index as a number ($p[2]); for a computed index, use pointer arithmetic: *($p + $i)');
    return none;
  }
  const r = indexType(t, n, derefSpace(t, c.defaultSpace()));
  if ('error' in r) {
    c.error(r.error, e);
    return none;
  }
  c.a.constants.set(e.index, n);
  return r;
}

/** `(T)x`: integer casts, and pointer casts into the probe's address space. */
export function cast(c: ProbeChecker, e: Cast): Type {
  const from = c.typeOf(e.operand);
  const to: IntType | undefined = e.type.pointerDepth > 0 ? pointerCast(c, e, from) : namedIntType(e.type.name);
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
  if (t.kind === 'record' || (t.kind === 'int' && t.pointee !== undefined)) return kernelField(c, e, t);
  const copy = recordOfCopy(t);
  if (copy) return kernelField(c, e, copy);
  if (t.kind !== 'args') {
    if (t.kind !== 'none') c.error(`cannot access field '${e.field}' of ${typeName(t)}`, e);
    return none;
  }
  // A probe type that types its own args (a uprobe's, from DWARF) decides; codegen still reads the
  // field as the format places it.
  const own = c.probe.type.argField?.(c.probe, e.field, e.arrow);
  if (own && 'error' in own) {
    c.error(own.error, e, own.hint);
    return none;
  }
  if (own) {
    const at = c.probe.format?.fields.find((x) => x.name === e.field);
    if (at) c.ap.argFields.set(e, { field: at, type: fieldType(at) });
    return own;
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
  const ft = fieldType(f);
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
    const fn = c.probe.format ? btf.findFunc(c.probe.format.name) : null;
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
function kernelField(c: ProbeChecker, e: FieldAccess, t: Type): Type {
  const btf = kernelBtf()!;
  const record = t.kind === 'record';
  if (record && e.arrow) {
    c.error(`${typeName(t)} is not a pointer: use '.' to reach its member '${e.field}'`, e);
    return none;
  }
  if (!record && !e.arrow) {
    c.error(`${(t as IntType).ctype ?? 'this'} is a pointer: use '->' to reach its member '${e.field}'`, e);
    return none;
  }
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
  // Ids below a script BTF's first are the kernel's own.
  if (btf === Btf.vmlinux() || structId < btf.firstId) {
    const core = c.a.relocatable ? coreMember(btf, structId, e.field) : null;
    plan.layout = { struct: btf.typeName(structId), member: e.field, ...(core ? { core } : {}) };
  }
  c.a.kernelFields.set(e, plan);
  c.watchHelper(e, 'probe_read', 2);
  return plan.type;
}
