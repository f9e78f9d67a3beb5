// Structs and integer arrays copied by value, printed as bpftrace 0.17 prints them:
//   text value  { .weight = 1048576, .name = abc, .arr = [1,2,3] }
//   map key     {.weight=1048576,.name=abc}
//   json        { "weight": 1048576, "name": "abc", "arr": [1,2,3] }

import type { BlobLayout } from '../blob-layout';
import type { Value } from '../types';

/** The copied bytes as nested values: integers, text for char arrays, arrays for the rest. */
export function decodeBlob(l: BlobLayout, view: DataView, off: number): Value {
  switch (l.kind) {
    case 'int': {
      let v = l.bytes === 8 ? view.getBigUint64(off, true) : BigInt(l.bytes === 4 ? view.getUint32(off, true) : l.bytes === 2 ? view.getUint16(off, true) : view.getUint8(off));
      if (l.bitWidth) return (v >> BigInt(l.bitShift ?? 0)) & ((1n << BigInt(l.bitWidth)) - 1n);
      if (l.signed) v = BigInt.asIntN(l.bytes * 8, v);
      return v;
    }
    case 'chars': {
      const bytes = new Uint8Array(view.buffer, view.byteOffset + off, l.length);
      const nul = bytes.indexOf(0);
      return Buffer.from(bytes.subarray(0, nul < 0 ? l.length : nul)).toString('latin1');
    }
    case 'array':
      return Array.from({ length: l.length }, (_, i) => decodeBlob(l.elem, view, off + i * l.elemSize));
    case 'struct':
      return l.fields.map((f) => decodeBlob(f.layout, view, off + f.offset));
  }
}

/** json026: bpftrace 0.26's JSON, without the spaces 0.17 puts inside an object's braces. */
export type BlobStyle = 'text' | 'key' | 'json' | 'json026';

export function formatBlob(l: BlobLayout, v: Value, style: BlobStyle): string {
  switch (l.kind) {
    case 'int':
      return l.bool ? String(v !== 0n) : String(v);
    case 'chars':
      return style === 'json' || style === 'json026' ? JSON.stringify(String(v)) : String(v);
    case 'array':
      return `[${(v as Value[]).map((e) => formatBlob(l.elem, e, style)).join(',')}]`;
    case 'struct': {
      const parts = l.fields.map((f, i) => {
        const s = formatBlob(f.layout, (v as Value[])[i], style);
        return style === 'json' || style === 'json026' ? `"${f.name}": ${s}` : style === 'key' ? `.${f.name}=${s}` : `.${f.name} = ${s}`;
      });
      return style === 'key' ? `{${parts.join(',')}}` : style === 'json026' ? `{${parts.join(', ')}}` : `{ ${parts.join(', ')} }`;
    }
  }
}
