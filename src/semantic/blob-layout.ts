// Structs and integer arrays as values (print(curtask->se.load), @m = $r->arr): the BTF type turned
// into a BlobLayout the runtime prints from, and the string-like type that carries the copied bytes
// through maps and event records.

import type { BlobField, BlobLayout } from '../../common/blob-layout';
import type { RecordType, StringType, Type } from '../../common/types';
import type { Btf, TypeId } from '../../common/kernel/btf';
import { kernelBtf } from './kernel-types';

/** The copy lives on the 512-byte BPF stack (event record, map value), so it must stay small. */
export const MAX_BLOB_BYTES = 256;

/** The layout of a value of BTF type `id`, or why it cannot be printed. */
export function blobLayout(btf: Btf, id: TypeId): BlobLayout | string {
  const t = btf.resolve(id);
  switch (t.kind) {
    case 'int':
    case 'enum':
    case 'enum64':
      if (t.size !== 1 && t.size !== 2 && t.size !== 4 && t.size !== 8) return `${btf.typeName(id)} (${t.size} bytes) cannot be printed`;
      return { kind: 'int', bytes: t.size, signed: t.kind === 'int' ? t.signed && !t.bool : t.signed };
    case 'ptr':
      // bpftrace 0.17 prints pointers inside structs as signed 64-bit integers.
      return { kind: 'int', bytes: 8, signed: true };
    case 'array': {
      const elem = btf.resolve(t.elem);
      // bpftrace prints char arrays as text and every other array (unsigned char too) element-wise.
      if (elem.kind === 'int' && elem.name === 'char') return { kind: 'chars', length: t.length };
      const inner = blobLayout(btf, t.elem);
      if (typeof inner === 'string') return inner;
      return { kind: 'array', elem: inner, elemSize: btf.sizeOf(t.elem) ?? 0, length: t.length, btf: t.elem };
    }
    case 'struct':
    case 'union': {
      const fields: BlobField[] = [];
      for (const m of t.members) {
        const inner = memberLayout(btf, m.type, m.bitOffset, m.bitSize);
        if (typeof inner === 'string') return `${btf.typeName(id)}.${m.name || '(anonymous)'}: ${inner}`;
        // Anonymous struct and union members show their own members in place.
        if (m.name === '' && inner.layout.kind === 'struct') fields.push(...inner.layout.fields.map((f) => ({ ...f, offset: f.offset + inner.offset })));
        else fields.push({ name: m.name, ...inner });
      }
      return { kind: 'struct', fields, btf: t.id };
    }
    case 'fwd': {
      const full = t.union ? btf.findUnion(t.name) : btf.findStruct(t.name);
      return full ? blobLayout(btf, full.id) : `${t.union ? 'union' : 'struct'} ${t.name} is only declared, not defined`;
    }
    default:
      return `${btf.typeName(id)} cannot be printed`;
  }
}

function memberLayout(btf: Btf, type: TypeId, bitOffset: number, bitSize: number): { offset: number; layout: BlobLayout } | string {
  if (!bitSize) {
    const layout = blobLayout(btf, type);
    return typeof layout === 'string' ? layout : { offset: bitOffset / 8, layout };
  }
  const storage = (btf.sizeOf(type) ?? 4) as 1 | 2 | 4 | 8;
  const start = Math.floor(bitOffset / (storage * 8)) * storage;
  if (bitOffset + bitSize > (start + storage) * 8) return 'a bitfield that straddles its storage unit cannot be printed';
  return { offset: start, layout: { kind: 'int', bytes: storage, signed: false, bitShift: bitOffset - start * 8, bitWidth: bitSize } };
}

/** The value a record is copied into for print() and map values; undefined when too big or unprintable. */
export function recordValueType(t: RecordType): StringType | undefined {
  const btf = kernelBtf();
  if (!btf || t.size > MAX_BLOB_BYTES) return undefined;
  const layout = blobLayout(btf, t.btf);
  if (typeof layout === 'string') return undefined;
  return { kind: 'string', size: t.size + 1, format: 'record', layout };
}

/** An integer or struct array member read whole (`$r->arr`), or why it cannot be. */
export function arrayValueType(btf: Btf, id: TypeId, bytes: number): StringType | string {
  if (bytes > MAX_BLOB_BYTES) return `${btf.typeName(id)} is ${bytes} bytes; arrays of at most ${MAX_BLOB_BYTES} bytes can be read whole`;
  const layout = blobLayout(btf, id);
  if (typeof layout === 'string') return layout;
  return { kind: 'string', size: bytes + 1, format: 'array', layout };
}

/** The length of an array of bytes (`u8 addr[16]`) copied by value, which buf(), macaddr() and ntop() take; else undefined. */
export function byteArrayLength(t: Type): number | undefined {
  if (t.kind !== 'string' || t.format !== 'array' || t.layout?.kind !== 'array') return undefined;
  return t.layout.elem.kind === 'int' && t.layout.elem.bytes === 1 ? t.layout.length : undefined;
}

/** A struct copy (`$x = curtask->se.load`) seen as the record it was copied from, so `$x.weight`
 * reads its member from the copy (on the BPF stack, read like kernel memory). */
export function recordOfCopy(t: Type): RecordType | undefined {
  if (t.kind !== 'string' || t.format !== 'record' || t.layout?.kind !== 'struct' || t.layout.btf === undefined) return undefined;
  return { kind: 'record', btf: t.layout.btf, name: 'struct', size: t.size - 1, space: 'kernel' };
}
