// Every module a registry names (aggregations, value formats, functions, builtins, probe types),
// with the examples it carries: read by the kernel suite that runs them and by the unit check that
// every module has one.

import { aggregates, builtins, formats, functions, type Example } from '../src/functions';
import { probeTypes } from '../src/probes';

export interface Owner {
  kind: 'aggregation' | 'value format' | 'function' | 'builtin' | 'probe type';
  name: string;
  examples: readonly Example[];
}

export function owners(): Owner[] {
  const out: Owner[] = [];
  const add = (kind: Owner['kind'], defs: Iterable<[string, { examples?: readonly Example[] }]>) => {
    for (const [name, d] of defs) out.push({ kind, name, examples: d.examples ?? [] });
  };
  add('aggregation', aggregates.entries());
  add('value format', formats.entries());
  add('function', functions.entries());
  add('builtin', builtins.entries());
  add('probe type', probeTypes().map((t) => [t.name, t] as [string, { examples?: readonly Example[] }]));
  return out;
}
