// Decoding values of the language's types from BPF memory (map keys, map values, event records).

import { tupleLayout, type Type, type Value } from '../types';
import { formatTimestamp } from '../../runtime/format/timestamp';
import { decodeSymbolic } from '../../runtime/format/stacks';
import { resolveFormatted } from '../../runtime/format/resolve-ids';
import { decodeBlob } from '../../runtime/format/record';

/** asKey: the value is (part of) a map key, where bpftrace 0.17 prints u8 array elements signed. */
export function decodeValue(t: Type, view: DataView, off: number, asKey = false): Value {
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
      if ((t.format === 'record' || t.format === 'array') && t.layout) return decodeBlob(t.layout, view, off);
      if (t.format === 'inet') return formatInet(view, off);
      if (t.format === 'mac') return formatMac(view, off);
      if (t.format === 'bytes') {
        const n = t.size - 1;
        const at = view.byteOffset + off;
        return `[${(asKey ? new Int8Array(view.buffer, at, n) : new Uint8Array(view.buffer, at, n)).join(',')}]`;
      }
      if (t.format === 'username' || t.format === 'strerror' || t.format === 'cgroup_path') return resolveFormatted(t.format, view, off, t.pattern);
      if (t.format === 'kstack' || t.format === 'ustack' || t.format === 'ksym' || t.format === 'usym') return decodeSymbolic(t, view, off);
      if (t.format === 'strftime') return formatTimestamp(t.pattern ?? '', view.getBigUint64(off, true));
      if (t.format === 'buffer') {
        const len = Math.min(view.getUint8(off), t.size - 1);
        return Buffer.from(view.buffer, view.byteOffset + off + 1, len).toString('latin1');
      }
      const bytes = new Uint8Array(view.buffer, view.byteOffset + off, t.size);
      const nul = bytes.indexOf(0);
      return Buffer.from(bytes.subarray(0, nul < 0 ? t.size : nul)).toString('latin1');
    }
    case 'tuple': {
      const { offsets } = tupleLayout(t);
      return t.elems.map((e, i) => decodeValue(e, view, off + offsets[i], asKey));
    }
    default:
      throw new Error(`cannot decode a value of kind ${t.kind}`);
  }
}

const AF_INET = 2;
const AF_INET6 = 10;

/** ntop()'s record (u32 family, then the address bytes in network order) as inet_ntop prints it. */
export function formatInet(view: DataView, off: number): string {
  const af = view.getUint32(off, true);
  const b = new Uint8Array(view.buffer, view.byteOffset + off + 4, 16);
  if (af === AF_INET) return `${b[0]}.${b[1]}.${b[2]}.${b[3]}`;
  if (af !== AF_INET6) return '';
  const groups = Array.from({ length: 8 }, (_, i) => (b[2 * i] << 8) | b[2 * i + 1]);
  // IPv4-mapped addresses print their last 32 bits dotted, as glibc's inet_ntop does.
  if (groups.slice(0, 5).every((g) => g === 0) && groups[5] === 0xffff) return `::ffff:${b[12]}.${b[13]}.${b[14]}.${b[15]}`;
  // The longest run of two or more zero groups (the first when tied) becomes "::".
  let best = -1;
  let bestLen = 1;
  for (let i = 0; i < 8; ) {
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLen) [best, bestLen] = [i, j - i];
    i = j > i ? j : i + 1;
  }
  const hex = groups.map((g) => g.toString(16));
  if (best < 0) return hex.join(':');
  return `${hex.slice(0, best).join(':')}::${hex.slice(best + bestLen).join(':')}`;
}

/** macaddr()'s six bytes as bpftrace prints them: upper-case hex pairs joined by ':'. */
export function formatMac(view: DataView, off: number): string {
  return Array.from({ length: 6 }, (_, i) => view.getUint8(off + i).toString(16).toUpperCase().padStart(2, '0')).join(':');
}
