// print(@m), print(@m, top, div) and print(expr), print(@m[key]) one entry's value (bpftrace
// 0.21+) among them. The map is read and formatted in user space when
// the event is handled (so it shows the map as it is then, as in bpftrace); top and div are
// evaluated in the probe and travel in the record, as does the value of print(expr).

import type { MapRef } from '../ast';
import { isTypedAddress, none, u64, type Type, type Value } from '../../common/types';
import { bpftraceTypeName } from '../semantic/pointers';
import { emitRecord, decodeRecordArgs, layoutRecord, type RecordLayout } from './event-record';
import { mapOf } from './clear';
import { storageType } from './storage';
import type { FunctionDef } from './types';

type PrintData =
  | { mode: 'map'; map: string; layout: RecordLayout; [k: string]: unknown }
  | { mode: 'value'; type: Type; layout: RecordLayout; [k: string]: unknown };

export const print: FunctionDef = {
  examples: [{ script: 'BEGIN { @[1] = 2; print(@); print((1, "a")); clear(@); exit(); }', output: '@[1]: 2\n(1, a)\n\n\n\n', sameAs017: true }],
  name: 'print',
  check(ctx, call) {
    const [target, ...rest] = call.args;
    if (!target || call.args.length > 3) {
      ctx.error('print() takes a map and up to two integers (top, div), or one value', call);
      return none;
    }
    if (target.kind === 'MapRef' && target.keys.length === 0) {
      for (const a of rest) {
        const t = ctx.typeOf(a);
        if (t.kind !== 'int') ctx.error(`print()'s ${a === rest[0] ? 'top' : 'div'} must be an integer, got ${t.kind}`, a);
      }
      ctx.addEvent(call, 'print', { mode: 'map', map: `@${target.name}`, layout: layoutRecord(rest.map(() => u64)) });
      return none;
    }
    if (rest.length) ctx.error('print() of a value takes no other arguments', rest[0]);
    const t = storageType(ctx.typeOf(target));
    if (isTypedAddress(t)) {
      ctx.error(`${bpftraceTypeName(t)} type passed to print() is not printable`, call, `print a pointer's address as a number, print((uint64)p), or what it points to, print(*p)`);
      return none;
    }
    if (t.kind !== 'int' && t.kind !== 'string' && t.kind !== 'tuple' && t.kind !== 'bool') {
      if (t.kind !== 'none') ctx.error(`print() cannot print a value of type ${t.kind}`, target, t.kind === 'record' ? 'structs of at most 256 bytes are printed; print one of its members' : undefined);
      return none;
    }
    ctx.addEvent(call, 'print', { mode: 'value', type: t, layout: layoutRecord([t]) });
    return none;
  },
  emit(ctx, call) {
    const [target, ...rest] = call.args;
    if (target.kind === 'MapRef' && target.keys.length === 0) {
      mapOf(ctx, target as MapRef);
      emitRecord(ctx, call, layoutRecord(rest.map(() => u64)), rest.map((a) => ctx.emit(a)));
    } else {
      const t = storageType(ctx.typeOf(target));
      emitRecord(ctx, call, layoutRecord([t]), [ctx.emit(target)]);
    }
    return { type: none, v: ctx.constInt(0) };
  },
  event: {
    handle(data, view, off, _len, rt) {
      const d = data as PrintData;
      const args = decodeRecordArgs(d.layout, view, off, rt);
      if (d.mode === 'value') {
        rt.output.value(d.type, args[0]);
        return;
      }
      const [top, div] = args.map((v) => Number(BigInt.asIntN(64, v as bigint)));
      rt.output.map(rt.maps.read(d.map), { top, div });
    },
  },
};
