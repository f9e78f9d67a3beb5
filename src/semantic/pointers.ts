// Type rules of pointers and arrays, as bpftrace 0.17 has them: `*p`, `p[N]`, `arr[N]`, and
// arithmetic on pointers scaled by the element's size (`(int32 *)32 + 1` is 36). Refusals carry
// bpftrace's wording, since scripts and users match on it. Codegen follows these types
// (src/codegen/pointers.ts): it never needs more than the operand and result types.

import type { Binary, Expr } from '../ast';
import type { BlobLayout } from '../../common/blob-layout';
import { isBlob, isPointer, namedIntType, type AddrSpace, type IntType, type StringType, type Type } from '../../common/types';
import { languageType, kernelBtf } from './kernel-types';

/** A type as bpftrace 0.17 spells it in messages: `int64`, `unsigned int16 *`, `struct Foo *`. */
export function bpftraceTypeName(t: Type): string {
  switch (t.kind) {
    case 'int':
      if (t.elem) return `${bpftraceTypeName(t.elem)} *`;
      return `${t.signed ? '' : 'unsigned '}int${t.bits}`;
    case 'bool':
      return 'bool';
    case 'string':
      return isBlob(t) ? 'array' : `string[${t.size}]`;
    case 'tuple':
      return `(${t.elems.map(bpftraceTypeName).join(',')})`;
    case 'record':
      return t.name;
    default:
      return t.kind;
  }
}

const LOGICAL = new Set(['&&', '||']);
const COMPARE = new Set(['==', '!=', '<', '<=', '>', '>=']);

/**
 * The type of a binary operation with a pointer operand: `p + n`, `n + p` and `p - n` are
 * pointers (codegen scales n by the element size), comparisons are integers; anything else is
 * refused. Undefined when neither operand is a pointer.
 */
export function pointerBinary(op: Binary['op'], l: IntType, r: IntType): { type: Type } | { error: string } | undefined {
  const lp = isPointer(l);
  const rp = isPointer(r);
  if (!lp && !rp) return undefined;
  if (COMPARE.has(op)) return { type: { kind: 'int', bits: 64, signed: false } };
  if (!LOGICAL.has(op)) {
    if (op === '+' && lp !== rp) return { type: lp ? l : r };
    if (op === '-' && lp && !rp) return { type: l };
  }
  return { error: `The ${op} operator can not be used on expressions of types ${bpftraceTypeName(l)}, ${bpftraceTypeName(r)}` };
}

/** The message for a unary operator (`-`, `~`, `!`) applied to a pointer. */
export function pointerUnaryError(op: string, t: IntType): string {
  return `The ${op} operator can not be used on expressions of type '${bpftraceTypeName(t)}'`;
}

/**
 * What `*e` reads. A typed pointer yields its element (a struct element is a place, like `->`
 * reaches, so `(*p).x` and copies work); a plain integer is an address of a u64, as in bpftrace.
 */
export function derefType(t: Type): Type | { error: string } {
  if (t.kind === 'record') return { error: `Can not dereference struct/union of type '${t.name}'. It is not a pointer.` };
  if (t.kind !== 'int') return { error: `The dereference operator can not be used on expressions of type '${bpftraceTypeName(t)}'` };
  if (isPointer(t)) return t.elem;
  return { kind: 'int', bits: 64, signed: false };
}

/**
 * An index as bpftrace 0.17 accepts it: an integer literal (negative too) or a numeric positional
 * parameter; null for anything else.
 */
export function literalIndex(e: Expr): number | null {
  // A numeric $N is an IntLit by now (positionals.ts).
  if (e.kind === 'IntLit') return Number(e.value);
  if (e.kind === 'Unary' && e.op === '-' && e.operand.kind === 'IntLit') return -Number(e.operand.value);
  return null;
}

/**
 * What `target[n]` yields: for a pointer, the element `n` steps past it; for an array value (an
 * array member, or a copy of one in a variable or map), its element `n`, checked against the
 * array's length.
 */
export function indexType(t: Type, n: number, space: AddrSpace): Type | { error: string } {
  if (isPointer(t)) return t.elem;
  const layout = t.kind === 'string' ? t.layout : undefined;
  if (layout?.kind === 'array') {
    if (n < 0 || n >= layout.length) return { error: `the index ${n} is out of bounds for array of size ${layout.length}` };
    return arrayElemType(layout, space);
  }
  const what = t.kind === 'int' || t.kind === 'bool' ? 'integer' : t.kind === 'string' ? 'string' : t.kind;
  return { error: `The array index operator [] can only be used on arrays and pointers, found ${what}.` };
}

/**
 * The type of one element of a copied array: integers and nested arrays and structs from the
 * layout (sub-ranges of the copy); pointers from BTF, so they stay typed for `*` and `->`.
 */
function arrayElemType(layout: Extract<BlobLayout, { kind: 'array' }>, space: AddrSpace): Type {
  const elem = layout.elem;
  switch (elem.kind) {
    case 'int': {
      const btf = kernelBtf();
      if (btf && layout.btf !== undefined && btf.resolve(layout.btf).kind === 'ptr') {
        const typed = languageType(btf, layout.btf, space);
        if (typeof typed !== 'string') return typed;
      }
      return { kind: 'int', bits: (elem.bytes * 8) as IntType['bits'], signed: elem.signed };
    }
    case 'chars':
      return { kind: 'string', size: elem.length } satisfies StringType;
    case 'array':
      return { kind: 'string', size: layout.elemSize + 1, format: 'array', layout: elem };
    case 'struct':
      return { kind: 'string', size: layout.elemSize + 1, format: 'record', layout: elem };
  }
}

/**
 * A pointer typed from a C spelling of integer pointers, as tracefs formats write fields
 * (`const char * filename`, `unsigned long * addr`, `char * const * argv`); undefined when the
 * element is not an integer type.
 */
export function intPointerFromCType(ctype: string, space: AddrSpace): IntType | undefined {
  const words = ctype.replace(/\*/g, ' * ').split(/\s+/).filter((w) => w && !/^(const|volatile|__user|__restrict)$/.test(w));
  const depth = words.filter((w) => w === '*').length;
  const elem = namedIntType(words.filter((w) => w !== '*').join(' '));
  if (!elem || depth === 0) return undefined;
  let p: IntType = { kind: 'int', bits: 64, signed: false, space, elem };
  for (let n = 2; n <= depth; n++) p = { kind: 'int', bits: 64, signed: false, space, elem: p };
  return { ...p, ctype: ctype.trim() };
}
