// strerror(errno): an error number printed as the C library's message ("No such file or
// directory"). The probe records the number; strerrorFormat words it when decoded.

import { QUOTED_IN_026 } from './formats';
import { none, type StringType } from '../../common/types';
import type { FunctionDef, ValueFormat } from './types';

export const strerrorType: StringType = { kind: 'string', size: 8, format: 'strerror' };

export const strerror: FunctionDef = {
  examples: [{ script: 'BEGIN { printf("%s\\n", strerror(1)); exit(); }', output: 'Operation not permitted\n\n\n', sameAs017: true }],
  name: 'strerror',
  check(ctx, call) {
    if (call.args.length !== 1) {
      ctx.error(`strerror() requires 1 argument (${call.args.length} provided)`, call, 'pass an errno value, e.g. strerror(-args->ret)');
      return none;
    }
    const t = ctx.typeOf(call.args[0]);
    if (t.kind === 'none') return none;
    if (t.kind !== 'int') {
      ctx.error(`strerror() only supports integer arguments (${t.kind} provided)`, call.args[0], 'pass an errno value, e.g. strerror(-args->ret)');
      return none;
    }
    return strerrorType;
  },
  emit(ctx, call) {
    const v = ctx.emit(call.args[0]);
    const out = ctx.zeroed(8, 'strerror');
    const signed = v.type.kind === 'int' && v.type.signed;
    ctx.b.store(ctx.b.intCast(v.v, ctx.i64, signed), ctx.b.bitcast(out, ctx.c.ptr(ctx.i64)));
    return { type: strerrorType, v: out };
  },
};

/** bpftrace 0.17 writes the message unquoted in JSON. */
export const strerrorFormat: ValueFormat = {
  name: 'strerror',
  examples: [{ script: 'BEGIN { @ = strerror(2); exit(); }', output: '\n\n@: No such file or directory\n', sameAs017: true }],
  decode: (view, off, _t, host) => host.strerror(view.getBigUint64(off, true)),
  json: (v) => String(v),
  jsonIn: QUOTED_IN_026,
  printf: 'string',
};
