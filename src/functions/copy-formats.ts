// The formats of structs and integer arrays copied by value (`print(curtask->se.load)`,
// `@m = $r->arr`): no function makes them; the semantic pass does (src/semantic/blob-layout.ts),
// and the BlobLayout in the type says how the bytes print.

import { decodeBlob, formatBlob } from '../../common/format/record';
import type { StringType, Value } from '../../common/types';
import type { ValueFormat } from './types';

function copyFormat(name: 'record' | 'array'): ValueFormat {
  const layout = (t: StringType) => {
    if (!t.layout) throw new Error(`internal: a ${name} value without its layout`);
    return t.layout;
  };
  return {
    name,
    decode: (view, off, t) => decodeBlob(layout(t), view, off),
    text: (v: Value, t, asKey) => formatBlob(layout(t), v, asKey ? 'key' : 'text'),
    json: (v, t) => formatBlob(layout(t), v, 'json'),
    jsonIn: { '0.26': (v, t) => formatBlob(layout(t), v, 'json026') },
    printf: name,
  };
}

export const recordFormat: ValueFormat = {
  ...copyFormat('record'),
  examples: [{ script: 'BEGIN { @ = curtask->se.load; exit(); }', output: /^\n\n@: \{ \.weight = \d+, \.inv_weight = \d+ \}\n$/, sameAs017: true }],
};
export const arrayFormat: ValueFormat = {
  ...copyFormat('array'),
  examples: [{ script: 'BEGIN { @ = curtask->cpus_mask.bits; exit(); }', output: /^\n\n@: \[\d+(,\d+)*\]\n$/, sameAs017: true }],
};
