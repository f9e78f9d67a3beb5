// Decoding values of the language's types from BPF memory (map keys, map values, event records):
// the generic walk over integers, booleans, tuples and plain strings; a value with a format is
// handed to that format (src/functions formats registry), with what it needs of the live system.

import { formatOf, type HostLookup } from '../../src/functions';
import { tupleLayout, type Type, type Value } from '../../common/types';

/** asKey: the value is (part of) a map key, where some formats print differently (pton's bytes). */
export function decodeValue(t: Type, view: DataView, off: number, host: HostLookup, asKey = false): Value {
  switch (t.kind) {
    case 'int': {
      switch (t.bits) {
        case 8:
          return BigInt(t.signed ? view.getInt8(off) : view.getUint8(off));
        case 16:
          return BigInt(t.signed ? view.getInt16(off, true) : view.getUint16(off, true));
        case 32:
          return BigInt(t.signed ? view.getInt32(off, true) : view.getUint32(off, true));
        default:
          return t.signed ? view.getBigInt64(off, true) : view.getBigUint64(off, true);
      }
    }
    case 'bool':
      return view.getUint8(off) !== 0;
    case 'string': {
      const f = formatOf(t);
      if (f) return f.decode(view, off, t, host, asKey);
      const bytes = new Uint8Array(view.buffer, view.byteOffset + off, t.size);
      const nul = bytes.indexOf(0);
      const text = Buffer.from(bytes.subarray(0, nul < 0 ? t.size : nul)).toString('latin1');
      // As bpftrace 0.26 guesses: a string that fills its buffer was probably cut there.
      return t.truncates && host.strTruncTrailer && text.length >= t.size - 1 ? text + host.strTruncTrailer : text;
    }
    case 'tuple': {
      const { offsets } = tupleLayout(t);
      return t.elems.map((e, i) => decodeValue(e, view, off + offsets[i], host, asKey));
    }
    default:
      throw new Error(`cannot decode a value of kind ${t.kind}`);
  }
}
