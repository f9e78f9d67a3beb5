// delete(@m[key]): removes one entry, in the probe, at once (bpf_map_delete_elem). A keyless
// aggregation lives in an array slot that cannot be deleted, and a per-CPU value can only be reset
// for every CPU from user space: delete(@x) of one is clear(@x), handled asynchronously.

import type { MapRef } from '../ast';
import { emitKey } from '../codegen/maps';
import { error } from '../diagnostics';
import { none } from '../types';
import { emitMapEvent, mapOf, type MapEventData } from './clear';
import type { FunctionDef } from './types';
import { BpfHelper } from '../kernel/bpf-helpers';

export const del: FunctionDef = {
  name: 'delete',
  check(ctx, call) {
    const [target, extra] = call.args;
    if (!target || target.kind !== 'MapRef') {
      ctx.error('delete() expects a map entry, as in delete(@m[key])', target ?? call);
      return none;
    }
    if (extra) ctx.error('delete() takes one map entry', extra);
    for (const k of target.keys) ctx.typeOf(k);
    ctx.watchHelper(target, 'map_delete_elem', 1, call.span);
    // Used only when @m turns out to be a keyless aggregation (see above).
    ctx.addEvent(call, 'delete', { map: `@${target.name}` } satisfies MapEventData);
    return none;
  },
  emit(ctx, call) {
    const ref = call.args[0] as MapRef;
    const { info, global } = mapOf(ctx, ref);
    const want = info.keyType === null ? 0 : info.keyType.kind === 'tuple' ? info.keyType.elems.length : 1;
    // A tuple written as the one key (`@m[(1, "a")]`) is the same entry as `@m[1, "a"]`, as in
    // assignments and reads.
    const oneTuple = ref.keys.length === 1 && want > 1 && ctx.typeOf(ref.keys[0]).kind === 'tuple';
    if (ref.keys.length !== want && !oneTuple) {
      throw error(
        want === 0 ? `${info.name} has no keys: delete(${info.name}) removes its value` : `${info.name} is indexed by ${want} key${want === 1 ? '' : 's'}, got ${ref.keys.length}`,
        ref.span,
      );
    }
    if (info.keyType === null && info.aggregate) {
      emitMapEvent(ctx, call);
    } else {
      const key = emitKey(ctx, info, ref.keys);
      const { b, i8p, i64 } = ctx;
      const r = b.helper(BpfHelper.MAP_DELETE_ELEM, i64, [i8p, i8p], [b.bitcast(global, i8p), key], 'deleted');
      ctx.reportHelper(ref, r, 'negative');
    }
    return { type: none, v: ctx.constInt(0) };
  },
  event: {
    handle(data, _view, _off, _len, rt) {
      rt.maps.clear((data as MapEventData).map);
    },
  },
};
