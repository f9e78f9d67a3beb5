// Layout of an event record: a u64 action id, then each argument at an 8-byte aligned offset.
// Shared by every asynchronous function that carries arguments (printf, print, …).

import type { Call } from '../ast';
import { sizeOf, type Type, type Value } from '../../common/types';
import type { CgValue, EmitContext, RuntimeServices } from './types';

export interface RecordLayout {
  args: { type: Type; offset: number }[];
  size: number;
}

export function layoutRecord(types: Type[]): RecordLayout {
  let off = 8;
  const args = types.map((type) => {
    const a = { type, offset: off };
    off += Math.ceil(Math.max(sizeOf(type), 1) / 8) * 8;
    return a;
  });
  return { args, size: off };
}

/** Builds and submits the record for `call` with the given argument values. */
export function emitRecord(ctx: EmitContext, call: Call, layout: RecordLayout, values: CgValue[]): void {
  const rec = ctx.zeroed(layout.size, 'record');
  ctx.b.store(ctx.constInt(ctx.eventId(call)), ctx.b.bitcast(rec, ctx.c.ptr(ctx.i64)));
  layout.args.forEach((a, i) => {
    ctx.storeValue(values[i], ctx.b.byteOffset(rec, a.offset, ctx.c.int(8)), a.type);
  });
  ctx.submitEvent(rec, layout.size);
}

export function decodeRecordArgs(layout: RecordLayout, view: DataView, offset: number, rt: Pick<RuntimeServices, 'decode'>): Value[] {
  return layout.args.map((a) => rt.decode(a.type, view, offset + a.offset));
}
