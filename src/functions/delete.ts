// delete(@m, key) (bpftrace 0.22+), delete(@m[key]) (the older spelling, still accepted) and
// delete(@m) of a keyless map: removes one entry, in the probe, at once (bpf_map_delete_elem), and
// is 1 when an entry was removed, 0 when there was none (0.24+). A keyless aggregation lives in an
// array slot that cannot be deleted, and a per-CPU value can only be reset for every CPU from user
// space: delete(@x) of one is clear(@x), handled asynchronously.

import type { Call, Expr, MapRef } from '../ast';
import { IntPredicate, type Val } from '../codegen/llvm';
import { emitKey } from '../codegen/maps';
import { error } from '../../common/diagnostics';
import type { MapInfo } from '../semantic/checked-program';
import { none } from '../../common/types';
import { emitMapEvent, mapOf, type MapEventData } from './clear';
import { checkMapKey, emitOneKey, mapForKey, truth } from './map-key-arg';
import type { CheckContext, EmitContext, FunctionDef } from './types';
import { BpfHelper } from '../../common/kernel/bpf-helpers';

export const del: FunctionDef = {
  examples: [{ script: 'BEGIN { @[1] = 1; @[2] = 2; delete(@[1]); exit(); }', output: '\n\n@[2]: 2\n', sameAs017: true }],
  name: 'delete',
  check(ctx, call) {
    const [target] = call.args;
    if (call.args.length >= 2) {
      const pair = checkMapKey(ctx, call, 'delete');
      if (pair) watchDelete(ctx, pair.map, call);
      return pair ? truth(ctx) : none;
    }
    if (!target || target.kind !== 'MapRef') {
      ctx.error('delete() expects a map and a key, as in delete(@m, key), or a map entry, as in delete(@m[key])', target ?? call);
      return none;
    }
    for (const k of target.keys) ctx.typeOf(k);
    watchDelete(ctx, target, call);
    // Used only when @m turns out to be a keyless aggregation (see above).
    ctx.addEvent(call, 'delete', { map: `@${target.name}` } satisfies MapEventData);
    return truth(ctx);
  },
  emit(ctx, call) {
    const ref = call.args[0] as MapRef;
    if (call.args.length === 2) {
      const { info, global } = mapForKey(ctx, ref, call.args[1], 'delete');
      return { type: truth(ctx), v: deleteKey(ctx, ref, global, emitOneKey(ctx, info, call.args[1])) };
    }
    const { info, global } = mapOf(ctx, ref);
    checkEntryKeys(ctx, info, ref);
    if (info.keyType === null && info.aggregate) {
      emitMapEvent(ctx, call);
      return { type: truth(ctx), v: ctx.constInt(1) };
    }
    return { type: truth(ctx), v: deleteKey(ctx, ref, global, emitKey(ctx, info, ref.keys)) };
  },
  event: {
    handle(data, _view, _off, _len, rt) {
      rt.maps.clear((data as MapEventData).map);
    },
  },
};

/**
 * bpftrace 0.24+ warns when a delete whose result is discarded finds no entry, and never when the
 * script reads the result; 0.17 warns under -k.
 */
function watchDelete(ctx: CheckContext, map: MapRef, call: Call): void {
  if (ctx.options.dialect !== '0.26') ctx.watchHelper(map, 'map_delete_elem', 1, call.span);
  else if (ctx.isStatement?.(call)) ctx.watchHelper(map, 'map_delete_elem', 0, call.span);
}

/** `@m[k…]` names one entry of `info`: as many keys as the map has (or one tuple of them). */
function checkEntryKeys(ctx: EmitContext, info: MapInfo, ref: MapRef): void {
  const want = info.keyType === null ? 0 : info.keyType.kind === 'tuple' ? info.keyType.elems.length : 1;
  // A tuple written as the one key (`@m[(1, "a")]`) is the same entry as `@m[1, "a"]`, as in
  // assignments and reads.
  const oneTuple = ref.keys.length === 1 && want > 1 && ctx.typeOf(ref.keys[0]).kind === 'tuple';
  if (ref.keys.length === want || oneTuple) return;
  if (want === 0) throw error(`${info.name} has no keys: delete(${info.name}) removes its value`, ref.span);
  if (ref.keys.length === 0) {
    // bpftrace's wording (0.22+).
    throw error('call to delete() with a single argument expects a map without explicit keys (scalar map)', ref.span, `name the entry: delete(${info.name}, ${want > 1 ? '(k1, k2)' : 'key'})`);
  }
  throw error(`${info.name} is indexed by ${want} key${want === 1 ? '' : 's'}, got ${ref.keys.length}`, ref.span);
}

/** Deletes the entry at `key`; 1 when it existed. A failure is reported under -k. */
function deleteKey(ctx: EmitContext, node: Expr, global: Val, key: Val): Val {
  const { b, i8p, i64 } = ctx;
  const r = b.helper(BpfHelper.MAP_DELETE_ELEM, i64, [i8p, i8p], [b.bitcast(global, i8p), key], 'deleted');
  ctx.reportHelper(node, r, 'negative');
  return b.intCast(b.icmp(IntPredicate.EQ, r, ctx.constInt(0)), i64, false);
}

