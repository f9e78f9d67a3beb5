// Map printing in bpftrace 0.17's text format: at exit and for print(@m[, top[, div]]). An
// aggregation's own module says how its values print, sort and lay out (AggregateDef.text,
// sortKey, layout …); a formatted value's module says how it prints (ValueFormat.text).
//
// Observed layout rules (bpftrace 0.17, see test/format-maps.test.ts):
// - one line per entry: `@name[k1, k2]: value`, or `@name: value` without keys;
// - histogram entries (layout 'histogram') are `@name[k]: ` (trailing space), their bucket lines,
//   then a blank line;
// - averaged maps (layout 'averaged': avg, stats) end with one blank line after all their entries;
// - an empty map prints one blank line (averaged: two);
// - entries sort ascending by value: integers by value (signed or not as the type says),
//   aggregations by their sortKey; maps of strings or tuples sort by key. Ties keep the caller's
//   order (bpftrace's tie order is the kernel's hash iteration order, which changes from run to
//   run), except where the aggregation orders them by key bytes (tiesByKeyBytes);
// - at exit, two newlines, then every map in byte order of its name.

import { aggregateOf, formatOf, type AggregateDef, type AggregateValue, type MapData, type MapEntry, type MapValue, type PrintOptions } from '../../src/functions';
import { divide, normalizeInt } from '../../common/format/ints';
import { isTypedAddress, type Type, type Value } from '../../common/types';
import type { Dialect } from '../../common/dialect';
import { compareKeys, formatKey, formatValue, keyParts } from './values';
import { dialectStyle } from './dialects';

export type { AvgValue, MapData, MapEntry, MapValue, PrintOptions } from '../../src/functions';

/** The aggregation a map's values are, or null for plain values. */
export function aggregationOf(vt: Type): AggregateDef | null {
  return vt.kind === 'agg' ? aggregateOf(vt.agg) : null;
}

/** The text of one map, as print(@m, top, div) or the exit-time dump prints it. */
export function formatMap(map: MapData, opts: PrintOptions = {}, chosen?: Dialect): string {
  const vt = map.valueType;
  const agg = aggregationOf(vt);
  const dialect = agg?.printsAs ?? chosen;
  const style = dialectStyle(dialect);
  const averaged = agg?.layout === 'averaged';
  if (map.entries.length === 0) return !style.emptyMapLine ? '' : averaged ? '\n\n' : '\n';

  const parts = keyParts(map.keyType);
  const { entries, div } = selectEntries(map, opts);
  const key = (e: MapEntry) => formatKey(parts, e.key, dialect);

  const out: string[] = [];
  if (agg?.layout === 'histogram' && vt.kind === 'agg') {
    const text = (dialect && agg.textIn?.[dialect]) || agg.text;
    for (const e of entries) out.push(`${map.name}${key(e)}:${style.histHeadingTail}\n${text(e.value as readonly bigint[], vt, div)}\n`);
    return out.join('');
  }
  const value = valueFormatter(vt, div, dialect);
  for (const e of entries) out.push(`${map.name}${key(e)}: ${value(e.value)}\n`);
  // bpftrace 0.17 joins the entries of stack, symbol and address valued maps with no newline.
  if (formatOf(vt)?.joinsMapLines) return `${out.map((l) => l.slice(0, -1)).join('')}\n`;
  if (averaged && style.averagedBlankLine) out.push('\n');
  return out.join('');
}

/**
 * Everything bpftrace 0.17 prints after the program ends (after END's own output): two newlines,
 * whether or not there are maps or earlier output, then each map in byte order of its name.
 */
export function formatExitMaps(maps: readonly MapData[], dialect?: Dialect): string {
  return `${dialectStyle(dialect).exitSeparatorText}${formatAllMaps(maps, dialect)}`;
}

/** Every map in byte order of its name, as bpftrace prints them at exit and on SIGUSR1. */
export function formatAllMaps(maps: readonly MapData[], dialect?: Dialect): string {
  let out = '';
  for (const m of byName(maps)) out += formatMap(m, {}, dialect);
  return out;
}

export function byName(maps: readonly MapData[]): MapData[] {
  return [...maps].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

/**
 * The entries print(@m, top, div) shows, in printing order, and the divisor to apply: shared by the
 * text and JSON formats. bpftrace ignores top and div for stats maps (it warns at compile time).
 */
export function selectEntries(map: MapData, opts: PrintOptions = {}): { entries: readonly MapEntry[]; div: bigint } {
  const vt = map.valueType;
  const agg = aggregationOf(vt);
  const fixed = agg?.ignoresTopDiv === true;
  let entries = sortEntries(map.entries, vt, keyParts(map.keyType));
  if (agg?.alignEntries && vt.kind === 'agg') {
    const values = agg.alignEntries(entries.map((e) => e.value as AggregateValue), vt);
    entries = entries.map((e, i) => ({ ...e, value: values[i] }));
  }
  const top = fixed ? 0 : Math.max(0, Math.floor(opts.top ?? 0));
  if (top > 0 && entries.length > top) entries = entries.slice(entries.length - top);
  const div = fixed || !opts.div || opts.div <= 1 ? 1n : BigInt(Math.floor(opts.div));
  return { entries, div };
}

function valueFormatter(vt: Type, div: bigint, dialect?: Dialect): (v: MapValue) => string {
  if (vt.kind === 'agg') {
    const agg = aggregateOf(vt.agg);
    const text = (dialect && agg.textIn?.[dialect]) || agg.text;
    return (v) => text(v as AggregateValue, vt, div);
  }
  // An enum value prints as its enumerator (divided, as the number it then is).
  if (vt.kind === 'int' && vt.enum && div === 1n) return (v) => formatValue(vt, v as Value, dialect);
  if (vt.kind === 'int' && !(dialect && dialectStyle(dialect).pointersInHex && isTypedAddress(vt))) return (v) => divide(normalizeInt(v as bigint, vt.bits, vt.signed), div).toString();
  return (v) => formatValue(vt, v as Value, dialect);
}

/** The number an entry sorts by, or null when the map sorts by key. */
function sortKeyOf(vt: Type): ((v: MapValue) => bigint) | null {
  if (vt.kind === 'int') return (v) => normalizeInt(v as bigint, vt.bits, vt.signed);
  if (vt.kind === 'bool') return (v) => (v === true ? 1n : 0n);
  if (vt.kind !== 'agg') return null;
  const agg = aggregateOf(vt.agg);
  return (v) => agg.sortKey(v as AggregateValue, vt);
}

function sortEntries(entries: readonly MapEntry[], vt: Type, parts: Type[] | null): readonly MapEntry[] {
  if (entries.length < 2) return entries;
  const by = sortKeyOf(vt);
  if (by === null) {
    if (parts === null) return entries;
    // Array.prototype.sort is stable, so equal keys keep the caller's order.
    return [...entries].sort((a, b) => compareKeys(parts, a.key ?? [], b.key ?? []));
  }
  // Compute each sort value once; when they all fit a double exactly (nearly always), sort an
  // index array over a Float64Array, which is several times faster than comparing bigints.
  // bpftrace 0.17 gathers histograms and stats in a std::map over the key's bytes before sorting
  // them by total, so equal totals print in key-byte order; other maps keep the kernel's order.
  if (aggregationOf(vt)?.tiesByKeyBytes && entries.every((e) => e.rawKey)) {
    entries = [...entries].sort((a, b) => Buffer.compare(a.rawKey!, b.rawKey!));
  }
  const n = entries.length;
  const keys: bigint[] = new Array(n);
  let exact = true;
  for (let i = 0; i < n; i++) {
    const k = by(entries[i].value);
    keys[i] = k;
    if (k > MAX_EXACT || k < -MAX_EXACT) exact = false;
  }
  const order = new Uint32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  if (exact) {
    const nums = new Float64Array(n);
    for (let i = 0; i < n; i++) nums[i] = Number(keys[i]);
    order.sort((a, b) => nums[a] - nums[b] || a - b);
  } else {
    order.sort((a, b) => (keys[a] < keys[b] ? -1 : keys[a] > keys[b] ? 1 : a - b));
  }
  const out: MapEntry[] = new Array(n);
  for (let i = 0; i < n; i++) out[i] = entries[order[i]];
  return out;
}

const MAX_EXACT = BigInt(Number.MAX_SAFE_INTEGER);
