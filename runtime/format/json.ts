// bpftrace 0.17's line-delimited JSON output (-f json): one object per line,
// `{"type": T, "data": D}`, with ", " and ": " between members but none inside tuple arrays.
//
// Observed rules (bpftrace 0.17, see test/format-json.test.ts):
// - count/sum/min/max and plain values are type "map"; avg and stats are type "stats" (avg as a
//   number, stats as {"count", "average", "total"}); hist and lhist are type "hist";
// - a keyless map is {"@m": V}; a keyed one {"@m": {"k": V, ...}} in the text format's order,
//   keys of several parts joined with "," ("1,abc");
// - a hist is the array of buckets from the first non-empty to the last: {"min", "max", "count"},
//   the negative bucket without "min" ({"max": -1, ...}), lhist's ends without "min" or "max";
// - an empty map prints nothing at all, not even at exit; a zeroed hist prints [];
// - strings escape `"` `\` and \n \r \t; every other byte below 0x20 and every byte from 0x80 up is
//   \u escaped as a sign-extended C char would print ("\u0001", "\uffffffc3").

import type { Type, Value } from '../../src/types';
import { formatBuffer } from './buffer';
import { lhistBucketCount } from './hist';
import { average, byName, divide, selectEntries, type AvgValue, type MapData, type MapValue, type PrintOptions } from './maps';
import { formatKeyPart, keyParts, normalizeInt } from './values';
import { isStack } from './stacks';
import { formatBlob } from './record';

/** A JSON string literal of a byte string (one char per byte). */
export function jsonString(s: string): string {
  let out = '"';
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 0x22) out += '\\"';
    else if (c === 0x5c) out += '\\\\';
    else if (c === 0x0a) out += '\\n';
    else if (c === 0x0d) out += '\\r';
    else if (c === 0x09) out += '\\t';
    else if (c < 0x20) out += `\\u${c.toString(16).padStart(4, '0')}`;
    else if (c >= 0x80) out += `\\uffffff${(c & 0xff).toString(16)}`;
    else out += s[i];
  }
  return out + '"';
}

/** One event line: `{"type": "printf", "data": ...}` and a newline. */
export function jsonLine(type: string, data: string): string {
  return `{"type": ${jsonString(type)}, "data": ${data}}\n`;
}

/** A value as print(expr) and plain map values show it. */
export function jsonValue(t: Type, v: Value): string {
  switch (t.kind) {
    case 'int':
      return normalizeInt(v as bigint, t.bits, t.signed).toString();
    case 'bool':
      return v === true || v === 1n ? 'true' : 'false';
    case 'string':
      // bpftrace 0.17 leaves timestamps, MAC addresses, arrays, strerror() and cgroup_path() unquoted, valid JSON or not.
      if ((t.format === 'record' || t.format === 'array') && t.layout) return formatBlob(t.layout, v, 'json');
      if (t.format === 'strftime' || t.format === 'mac' || t.format === 'bytes' || t.format === 'strerror' || t.format === 'cgroup_path') return String(v);
      return jsonString(t.format === 'buffer' ? formatBuffer(String(v)) : String(v));
    case 'tuple': {
      const parts = Array.isArray(v) ? v : [v];
      return `[${t.elems.map((e, i) => jsonValue(e, parts[i])).join(',')}]`;
    }
    default:
      return jsonString(String(v));
  }
}

function kindOf(vt: Type): 'map' | 'stats' | 'hist' {
  if (vt.kind !== 'agg') return 'map';
  if (vt.agg === 'avg' || vt.agg === 'stats') return 'stats';
  if (vt.agg === 'hist' || vt.agg === 'lhist') return 'hist';
  return 'map';
}

/** The line print(@m, top, div) or the exit-time dump prints for one map; '' for an empty map. */
export function formatMapJson(map: MapData, opts: PrintOptions = {}): string {
  if (map.entries.length === 0) return '';
  const { entries, div } = selectEntries(map, opts);
  const value = jsonMapValue(map.valueType, div);
  const parts = keyParts(map.keyType);
  let data: string;
  if (parts === null) {
    data = value(entries[0].value);
  } else {
    const members = entries.map((e) => {
      const key = parts.map((p, i) => (p.kind === 'string' && p.format !== 'buffer' && !p.layout && !isStack(p) ? String(e.key![i]) : formatKeyPart(p, e.key![i]))).join(',');
      return `${jsonString(key)}: ${value(e.value)}`;
    });
    data = `{${members.join(', ')}}`;
  }
  return jsonLine(kindOf(map.valueType), `{${jsonString(map.name)}: ${data}}`);
}

function jsonMapValue(vt: Type, div: bigint): (v: MapValue) => string {
  if (vt.kind !== 'agg') {
    if (vt.kind === 'int') return (v) => divide(normalizeInt(v as bigint, vt.bits, vt.signed), div).toString();
    return (v) => jsonValue(vt, v as Value);
  }
  switch (vt.agg) {
    case 'count':
      return (v) => divide(BigInt.asUintN(64, v as bigint), div).toString();
    case 'sum':
    case 'min':
    case 'max':
      return (v) => divide(normalizeInt(v as bigint, 64, vt.signed), div).toString();
    case 'avg':
      return (v) => divide(average(v as AvgValue), div).toString();
    case 'stats':
      return (v) => {
        const a = v as AvgValue;
        return `{"count": ${BigInt.asUintN(64, a.count)}, "average": ${average(a)}, "total": ${BigInt.asIntN(64, a.total)}}`;
      };
    case 'hist':
      return (v) => jsonBuckets(v as readonly bigint[], histRange, div);
    case 'lhist': {
      const n = lhistBucketCount(vt.min, vt.max, vt.step);
      // As in the text format, print()'s div does not apply to lhist.
      return (v) => jsonBuckets((v as readonly bigint[]).slice(0, n), (i) => lhistRange(i, n, vt.min, vt.max, vt.step), 1n);
    }
  }
}

/** A bucket's bounds, inclusive; null for an open end. */
type Range = [bigint | null, bigint | null];

function histRange(i: number): Range {
  if (i === 0) return [null, -1n];
  if (i === 1) return [0n, 0n];
  const lo = 1n << BigInt(i - 2);
  // bpftrace 0.17 computes the bounds in 32-bit ints: [2^31, 2^32) prints as min -2^31 (1 << 31)
  // and max 0 (1 << 32 shifts by 0 on x86, minus one). Its hist never fills higher buckets; ours
  // print their true bounds (see spec.md, Known differences).
  if (lo === 1n << 31n) return [-(1n << 31n), 0n];
  return [lo, lo * 2n - 1n];
}

function lhistRange(i: number, n: number, min: bigint, max: bigint, step: bigint): Range {
  if (i === 0) return [null, min - 1n];
  if (i === n - 1) return [max, null];
  const lo = min + BigInt(i - 1) * step;
  return [lo, lo + step - 1n];
}

function jsonBuckets(counts: readonly bigint[], range: (i: number) => Range, div: bigint): string {
  let first = -1;
  let last = -1;
  for (let i = 0; i < counts.length; i++) {
    if (counts[i] === 0n) continue;
    if (first < 0) first = i;
    last = i;
  }
  const out: string[] = [];
  for (let i = first; first >= 0 && i <= last; i++) {
    const [lo, hi] = range(i);
    const members: string[] = [];
    if (lo !== null) members.push(`"min": ${lo}`);
    if (hi !== null) members.push(`"max": ${hi}`);
    members.push(`"count": ${divide(counts[i], div)}`);
    out.push(`{${members.join(', ')}}`);
  }
  return `[${out.join(', ')}]`;
}

/**
 * Everything bpftrace 0.17 prints in JSON mode after the program ends: the same two bare newlines
 * as the text format, then one line per non-empty map in byte order of its name.
 */
export function formatExitMapsJson(maps: readonly MapData[]): string {
  return `\n\n${formatAllMapsJson(maps)}`;
}

/** Every map, one line each in byte order of its name: at exit and on SIGUSR1. */
export function formatAllMapsJson(maps: readonly MapData[]): string {
  let out = '';
  for (const m of byName(maps)) out += formatMapJson(m);
  return out;
}
