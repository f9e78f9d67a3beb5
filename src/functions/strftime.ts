// strftime(fmt, nsecs): a timestamp value printed (printf %s, print(), maps) as local wall-clock
// time formatted like strftime(3), plus "%f" for microseconds. The probe keeps only the
// nanoseconds since boot; user space adds the boot time and formats (runtime/format/timestamp.ts).

import { none, type StringType } from '../types';
import type { FunctionDef } from './types';

export const strftime: FunctionDef = {
  name: 'strftime',
  check(ctx, call) {
    const [fmt, ns, ...extra] = call.args;
    if (!fmt || !ns || extra.length) {
      ctx.error('strftime() takes a format and a time in nanoseconds since boot: strftime(fmt, nsecs)', call);
      return none;
    }
    if (fmt.kind !== 'StrLit') {
      ctx.error('strftime() expects a string literal format', fmt, 'for example strftime("%H:%M:%S", nsecs)');
      return none;
    }
    const t = ctx.typeOf(ns);
    if (t.kind !== 'int') {
      if (t.kind !== 'none') ctx.error(`strftime() expects an integer number of nanoseconds, got ${t.kind}`, ns);
      return none;
    }
    return { kind: 'string', size: 8, format: 'strftime', pattern: fmt.value } satisfies StringType;
  },
  emit(ctx, call) {
    const t = ctx.typeOf(call);
    const out = ctx.zeroed(8, 'strftime');
    const ns = ctx.emit(call.args[1]);
    ctx.b.store(ns.v, ctx.b.bitcast(out, ctx.c.ptr(ctx.i64)));
    return { type: t, v: out };
  },
};
