// bpftrace 0.17's line-delimited JSON output (-f json): one object per line,
// `{"type": T, "data": D}`, with ", " and ": " between members but none inside tuple arrays.
//
// Observed rules (bpftrace 0.17, see test/format-json.test.ts):
// - plain values are type "map"; an aggregation says its own type and value (AggregateDef.jsonKind
//   and json: count "map", stats "stats" {"count", "average", "total"}, hist "hist" …);
// - a keyless map is {"@m": V}; a keyed one {"@m": {"k": V, ...}} in the text format's order,
//   keys of several parts joined with "," ("1,abc");
// - an empty map prints nothing at all, not even at exit;
// - strings as common/format/json-string.ts escapes them.

import { aggregateOf, formatOf, type AggregateValue } from '../../src/functions';
import { jsonString } from '../../common/format/json-string';
import { divide, normalizeInt } from '../../common/format/ints';
import type { Type, Value } from '../../common/types';
import { isRecord, recordJson } from '../../common/records';
import { aggregationOf, byName, selectEntries, type MapData, type MapValue, type PrintOptions } from './maps';
import { formatKeyPart, keyParts } from './values';
import { dialectStyle } from './dialects';
import type { Dialect } from '../../common/dialect';

export { jsonString };

/** One event line: `{"type": "printf", "data": ...}` and a newline. */
export function jsonLine(type: string, data: string): string {
  return `{"type": ${jsonString(type)}, "data": ${data}}\n`;
}

/** A value as print(expr) and plain map values show it. */
export function jsonValue(t: Type, v: Value, dialect?: Dialect): string {
  switch (t.kind) {
    case 'int':
      return dialectStyle(dialect).jsonInt(normalizeInt(v as bigint, t.bits, t.signed));
    case 'bool':
      return v === true || v === 1n ? 'true' : 'false';
    case 'string': {
      // Some formats are written unquoted, as bpftrace 0.17 writes them, valid JSON or not.
      const f = formatOf(t);
      const json = (dialect && f?.jsonIn?.[dialect]) || f?.json;
      return json ? json(v, t) : jsonString(String(v));
    }
    case 'tuple': {
      if (isRecord(t)) return recordJson(t, v, jsonValue);
      const parts = Array.isArray(v) ? v : [v];
      return `[${t.elems.map((e, i) => jsonValue(e, parts[i], dialect)).join(',')}]`;
    }
    default:
      return jsonString(String(v));
  }
}

/** The line print(@m, top, div) or the exit-time dump prints for one map; '' for an empty map. */
export function formatMapJson(map: MapData, opts: PrintOptions = {}, chosen?: Dialect): string {
  if (map.entries.length === 0) return '';
  const dialect = aggregationOf(map.valueType)?.printsAs ?? chosen;
  const style = dialectStyle(dialect);
  const { entries, div } = selectEntries(map, opts);
  const value = jsonMapValue(map.valueType, div, dialect);
  const parts = keyParts(map.keyType);
  let data: string;
  if (parts === null) {
    data = value(entries[0].value);
  } else {
    const members = entries.map((e) => {
      const key = parts.map((p, i) => formatKeyPart(p, e.key![i], dialect)).join(',');
      return `${jsonString(style.jsonKeysWithoutSpaces ? key.replaceAll(' ', '') : key)}: ${value(e.value)}`;
    });
    data = `{${members.join(', ')}}`;
  }
  return jsonLine(aggregationOf(map.valueType)?.jsonKind ?? 'map', `{${jsonString(map.name)}: ${data}}`);
}

function jsonMapValue(vt: Type, div: bigint, dialect?: Dialect): (v: MapValue) => string {
  if (vt.kind === 'agg') {
    const agg = aggregateOf(vt.agg);
    const json = (dialect && agg.jsonIn?.[dialect]) || agg.json;
    return (v) => json(v as AggregateValue, vt, div);
  }
  const int = dialectStyle(dialect).jsonInt;
  if (vt.kind === 'int') return (v) => int(divide(normalizeInt(v as bigint, vt.bits, vt.signed), div));
  return (v) => jsonValue(vt, v as Value, dialect);
}

/**
 * Everything bpftrace 0.17 prints in JSON mode after the program ends: the same two bare newlines
 * as the text format, then one line per non-empty map in byte order of its name.
 */
export function formatExitMapsJson(maps: readonly MapData[], dialect?: Dialect): string {
  return `${dialectStyle(dialect).exitSeparatorJson}${formatAllMapsJson(maps, dialect)}`;
}

/** Every map, one line each in byte order of its name: at exit and on SIGUSR1. */
export function formatAllMapsJson(maps: readonly MapData[], dialect?: Dialect): string {
  let out = '';
  for (const m of byName(maps)) out += formatMapJson(m, {}, dialect);
  return out;
}
