// User-space printing shared by the aggregations whose value is one 64-bit number (count, sum,
// min, max): the number as the aggregation's signedness reads it, print()'s div applied, entries
// sorted by it, one line each, "map" in JSON.

import { divide, normalizeInt } from '../../common/format/ints';
import type { AggType } from '../../common/types';
import type { AggregateDef, AggregateMetrics, AggregateValue } from './types';

type NumberPrinting = Pick<AggregateDef, 'text' | 'json' | 'jsonIn' | 'sortKey' | 'jsonKind' | 'layout' | 'printsWhenZero'>;

const number = (v: AggregateValue, t: AggType): bigint => normalizeInt(v as bigint, 64, t.signed);

/** printsWhenZero: a keyless map of it prints before any update (count() prints 0). */
export function numberPrinting(printsWhenZero: boolean): NumberPrinting {
  return {
    text: (v, t, div) => divide(number(v, t), div).toString(),
    json: (v, t, div) => divide(number(v, t), div).toString(),
    // bpftrace 0.26 writes a number a double cannot hold exactly as a JSON string.
    jsonIn: {
      '0.26': (v, t, div) => {
        const n = divide(number(v, t), div);
        return BigInt(Number(n)) === n ? n.toString() : `"${n}"`;
      },
    },
    sortKey: number,
    jsonKind: 'map',
    layout: 'line',
    printsWhenZero,
  };
}

/** --metrics: the number as one counter (count()) or gauge (sum, min, max) per entry. */
export function numberMetrics(type: 'counter' | 'gauge', help: string): AggregateMetrics {
  return { type, fields: [{ suffix: '', help, value: (v, t) => Number(number(v, t)) }] };
}
