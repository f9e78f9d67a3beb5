// The language's type names as messages and the typed view (--explain) show them. Formatted
// strings and aggregations name themselves through their modules (ValueFormat.namesType,
// AggregateDef.typeName), so this lives apart from the plain data of common/types.ts.

import { aggregates } from './functions';
import { formatOf } from './functions/formats';
import type { Type } from '../common/types';

export function typeName(t: Type): string {
  switch (t.kind) {
    case 'int':
      if (t.elem) return t.ctype ?? `${typeName(t.elem)} *`;
      return `${t.signed ? 'int' : 'uint'}${t.bits}`;
    case 'bool':
      return 'bool';
    case 'string':
      return formatOf(t)?.namesType ? t.format! : `string[${t.size}]`;
    case 'tuple':
      return `(${t.elems.map((e, i) => (t.names ? `${t.names[i]}=` : '') + typeName(e)).join(', ')})`;
    case 'none':
      return 'none';
    case 'args':
      return `args of ${t.probe}`;
    case 'record':
      return t.name;
    case 'agg':
      return aggregates.get(t.agg)?.typeName?.(t) ?? `${t.agg}_t`;
  }
}
