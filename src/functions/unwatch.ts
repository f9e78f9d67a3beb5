// unwatch(addr): removes the watchpoints set on an address (watchpoint:FUNC+argN adds one per
// address its function is called with), in user space when the event is handled, as bpftrace 0.17
// does; later writes there no longer fire. An address nothing watches is ignored.

import { none } from '../../common/types';
import { emitRecord, layoutRecord } from './event-record';
import type { FunctionDef } from './types';
import { u64 } from '../../common/types';

const LAYOUT = layoutRecord([u64]);

export const unwatch: FunctionDef = {
  name: 'unwatch',
  check(ctx, call) {
    const [addr, ...extra] = call.args;
    if (!addr || extra.length) {
      ctx.error('unwatch() takes one argument, the watched address', call, 'for example unwatch(@addr)');
      return none;
    }
    const t = ctx.typeOf(addr);
    if (t.kind !== 'int') {
      if (t.kind !== 'none') ctx.error(`unwatch() expects an integer address, got ${t.kind}`, addr);
      return none;
    }
    ctx.addEvent(call, 'unwatch', {});
    return none;
  },
  emit(ctx, call) {
    emitRecord(ctx, call, LAYOUT, [{ type: u64, v: ctx.emit(call.args[0]).v }]);
    return { type: none, v: ctx.constInt(0) };
  },
  event: {
    handle(_data, view, off, _length, rt) {
      rt.unwatch(view.getBigUint64(off + LAYOUT.args[0].offset, true));
    },
  },
};
