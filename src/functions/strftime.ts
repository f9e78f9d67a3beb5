// strftime(fmt, nsecs): a timestamp value printed (printf %s, print(), maps) as local wall-clock
// time formatted like strftime(3), plus "%f" for microseconds. The probe keeps only the
// nanoseconds since boot; user space adds the boot time and formats (strftimeFormat).

import { QUOTED_IN_026 } from './formats';
import { none, type StringType } from '../../common/types';
import type { FunctionDef, ValueFormat } from './types';
import { localTm, strftime as formatTime } from '../../common/format/strftime';

export const strftime: FunctionDef = {
  examples: [{ script: 'BEGIN { printf("%s\\n", strftime("%Y", nsecs)); exit(); }', output: /^2\d\d\d\n\n\n$/, sameAs017: true }],
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

/**
 * The wall-clock text of `nsecsSinceBoot`, as bpftrace 0.17 makes it: the boot time added, "%f"
 * replaced by the microseconds, then strftime(3).
 */
export function formatTimestamp(pattern: string, nsecsSinceBoot: bigint, wallClockAtBoot: bigint): string {
  const ns = wallClockAtBoot + nsecsSinceBoot;
  const us = (ns % 1_000_000_000n) / 1000n;
  const fmt = pattern.replace(/%f/g, us.toString().padStart(6, '0'));
  return formatTime(fmt, localTm(new Date(Number(ns / 1_000_000_000n) * 1000)));
}

/** bpftrace 0.17 writes the time unquoted in JSON. */
export const strftimeFormat: ValueFormat = {
  name: 'strftime',
  examples: [{ script: 'BEGIN { @ = strftime("%Y", nsecs); exit(); }', output: /^\n\n@: 2\d\d\d\n$/, sameAs017: true }],
  decode: (view, off, t, host) => formatTimestamp(t.pattern ?? '', view.getBigUint64(off, true), host.wallClockAtBoot()),
  json: (v) => String(v),
  jsonIn: QUOTED_IN_026,
  printf: 'string',
};
