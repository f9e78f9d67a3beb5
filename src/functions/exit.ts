// exit() and exit(code) (bpftrace 0.21+): asks user space to stop tracing, with `code` as the exit
// status of bpfscript, and leaves the current probe at once.

import { Opcode } from '../codegen/llvm';
import { none } from '../../common/types';
import type { FunctionDef } from './types';

export const exit: FunctionDef = {
  examples: [{ script: 'BEGIN { printf("a\\n"); exit(); printf("b\\n"); }', output: 'a\n\n\n', sameAs017: true }],
  name: 'exit',
  check(ctx, call) {
    const [code, extra] = call.args;
    if (extra) ctx.error('exit() takes at most one argument, the exit status', extra);
    else if (code) {
      const t = ctx.typeOf(code);
      if (t.kind !== 'int' && t.kind !== 'none') ctx.error(`exit()'s status must be an integer, got ${t.kind}`, code);
    }
    ctx.addEvent(call, 'exit', {});
    return none;
  },
  emit(ctx, call) {
    const { b, c, i64 } = ctx;
    // [event id], then with a status [1][the status]
    const [code] = call.args;
    const size = code ? 24 : 8;
    const rec = ctx.zeroed(size, 'exit');
    b.store(ctx.constInt(ctx.eventId(call)), b.bitcast(rec, c.ptr(i64)));
    if (code) {
      b.store(ctx.constInt(1), b.bitcast(b.byteOffset(rec, 8, i64), c.ptr(i64)));
      const status = b.binop(Opcode.And, ctx.emit(code).v, ctx.constInt(0xff));
      b.store(status, b.bitcast(b.byteOffset(rec, 16, i64), c.ptr(i64)));
    }
    ctx.submitEvent(rec, size);
    ctx.markExited();
    ctx.returnFromProgram();
    return { type: none, v: ctx.constInt(0) };
  },
  event: {
    handle(_data, view, off, len, rt) {
      const has = len >= 24 && view.getBigUint64(off + 8, true) === 1n;
      rt.requestExit(has ? Number(view.getBigUint64(off + 16, true)) : undefined);
    },
  },
};
