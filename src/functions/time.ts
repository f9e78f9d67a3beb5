// time(fmt): prints the local time of the moment user space handles the event, formatted with
// strftime conventions; the default format is "%H:%M:%S\n", as in bpftrace.

import { localTm, strftime } from '../../common/format/strftime';
import { none } from '../../common/types';
import type { FunctionDef } from './types';

const DEFAULT_FORMAT = '%H:%M:%S\n';

interface TimeData {
  format: string;
  [k: string]: unknown;
}

export const time: FunctionDef = {
  examples: [{ script: 'BEGIN { time("%Y\\n"); exit(); }', output: /^2\d\d\d\n\n\n$/, sameAs017: true }],
  name: 'time',
  check(ctx, call) {
    const [fmt, extra] = call.args;
    if (extra) ctx.error('time() takes at most one argument, a format string', extra);
    if (fmt && fmt.kind !== 'StrLit') {
      ctx.error('time() expects a string literal format', fmt, 'for example time("%H:%M:%S\\n")');
      return none;
    }
    ctx.addEvent(call, 'time', { format: fmt?.kind === 'StrLit' ? fmt.value : DEFAULT_FORMAT } satisfies TimeData);
    return none;
  },
  emit(ctx, call) {
    const rec = ctx.zeroed(8, 'time');
    ctx.b.store(ctx.constInt(ctx.eventId(call)), ctx.b.bitcast(rec, ctx.c.ptr(ctx.i64)));
    ctx.submitEvent(rec, 8);
    return { type: none, v: ctx.constInt(0) };
  },
  event: {
    handle(data, _view, _off, _len, rt) {
      rt.output.time(strftime((data as TimeData).format, localTm(new Date())));
    },
  },
};
