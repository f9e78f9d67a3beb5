// clear(@m): removes every key of a map. Like bpftrace, it happens in user space when the event is
// handled (a per-CPU value can only be reset for all CPUs from there), so it is ordered with the
// probe's other output (`print(@m); clear(@m);` prints, then clears).

import type { Call, MapRef } from '../ast';
import { error } from '../../common/diagnostics';
import type { MapInfo } from '../semantic/checked-program';
import { none, type Type } from '../../common/types';
import type { CheckContext, EmitContext, FunctionDef } from './types';
import type { Val } from '../codegen/llvm';

export interface MapEventData {
  map: string;
  [k: string]: unknown;
}

/** The whole-map argument of print/clear/zero (`@m`, never `@m[k]`), or null after an error. */
export function wholeMapArgument(ctx: CheckContext, call: Call, fn: string): MapRef | null {
  const arg = call.args[0];
  if (!arg || arg.kind !== 'MapRef') {
    ctx.error(`${fn}() expects a map, as in ${fn}(@m)`, arg ?? call);
    return null;
  }
  if (arg.keys.length) {
    ctx.error(`${fn}() acts on a whole map, not on one of its entries`, arg, `write ${fn}(@${arg.name})`);
    return null;
  }
  return arg;
}

/**
 * The map a call names, at code generation. Maps are known only once every probe has been checked,
 * so a map that is never assigned is reported here, with the call's span.
 */
export function mapOf(ctx: EmitContext, ref: MapRef): { global: Val; info: MapInfo } {
  const m = ctx.map(`@${ref.name}`);
  if (!m) throw error(`Undefined map: @${ref.name}`, ref.span, 'a map exists once some probe assigns it, as in @m[key] = count()');
  return m;
}

/** Emits the 8-byte record (just the event id) of a map-wide action handled in user space. */
export function emitMapEvent(ctx: EmitContext, call: Call): void {
  mapOf(ctx, call.args[0] as MapRef);
  const rec = ctx.zeroed(8, 'map_event');
  ctx.b.store(ctx.constInt(ctx.eventId(call)), ctx.b.bitcast(rec, ctx.c.ptr(ctx.i64)));
  ctx.submitEvent(rec, 8);
}

/** A map-wide action run in user space when its event is handled. */
export function mapAction(name: 'clear' | 'zero', act: (maps: { clear(n: string): void; zero(n: string): void }, map: string) => void): FunctionDef {
  return {
    name,
    check(ctx, call): Type {
      if (call.args.length !== 1) ctx.error(`${name}() takes exactly one argument, a map`, call);
      const ref = wholeMapArgument(ctx, call, name);
      if (ref) ctx.addEvent(call, name, { map: `@${ref.name}` } satisfies MapEventData);
      return none;
    },
    emit(ctx, call) {
      emitMapEvent(ctx, call);
      return { type: none, v: ctx.constInt(0) };
    },
    event: {
      handle(data, _view, _off, _len, rt) {
        act(rt.maps, (data as MapEventData).map);
      },
    },
  };
}

export const clear = mapAction('clear', (maps, m) => maps.clear(m));
clear.examples = [{ script: 'BEGIN { @[1] = 1; @[2] = 2; clear(@); exit(); }', output: '\n\n\n', sameAs017: true }];
