// exit(): asks user space to stop tracing, and leaves the current probe at once.

import { none } from '../types';
import type { FunctionDef } from './types';

export const exit: FunctionDef = {
  name: 'exit',
  check(ctx, call) {
    if (call.args.length) ctx.error('exit() takes no arguments', call.args[0]);
    ctx.addEvent(call, 'exit', {});
    return none;
  },
  emit(ctx, call) {
    const rec = ctx.zeroed(8, 'exit');
    ctx.b.store(ctx.constInt(ctx.eventId(call)), ctx.b.bitcast(rec, ctx.c.ptr(ctx.i64)));
    ctx.submitEvent(rec, 8);
    ctx.returnFromProgram();
    return { type: none, v: ctx.constInt(0) };
  },
  event: {
    handle(_data, _view, _off, _len, rt) {
      rt.requestExit();
    },
  },
};
