// has_key(@m, key) (bpftrace 0.22+): whether the map holds the key, looked up in the probe
// (bpf_map_lookup_elem) without creating the entry a read `@m[key]` would default to 0.

import { IntPredicate } from '../codegen/llvm';
import { lookup } from '../codegen/maps';
import { none } from '../../common/types';
import { checkMapKey, emitOneKey, mapForKey, truth } from './map-key-arg';
import type { FunctionDef } from './types';

export const hasKey: FunctionDef = {
  examples: [{ script: 'BEGIN { @[1] = 1; printf("%d %d\\n", has_key(@, 1), has_key(@, 2)); clear(@); exit(); }', output: '1 0\n\n\n\n' }],
  name: 'has_key',
  check(ctx, call) {
    return checkMapKey(ctx, call, 'has_key') ? truth(ctx) : none;
  },
  emit(ctx, call) {
    const [map, key] = call.args;
    if (map.kind !== 'MapRef') throw new Error('internal: has_key of a checked call');
    const { info, global } = mapForKey(ctx, map, key, 'has_key');
    const found = ctx.b.icmp(IntPredicate.NE, lookup(ctx, global, emitOneKey(ctx, info, key)), ctx.c.constNull(ctx.i8p));
    return { type: truth(ctx), v: ctx.b.intCast(found, ctx.i64, false) };
  },
};
