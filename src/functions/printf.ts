// printf(fmt, args...): the arguments travel in an event record; user space formats them, so the
// BPF side costs one record copy and no string formatting.

import { compilePrintf, compilePrintfRecord, checkPrintf } from '../format/printf';
import { none, type Type, type Value } from '../../common/types';
import { decodeRecordArgs, emitRecord, layoutRecord, type RecordLayout } from './event-record';
import type { FunctionDef } from './types';
import { storageType } from './storage';

const compiled = new WeakMap<object, (args: readonly Value[]) => string>();
/** Per call site: the record-reading fast path (compilePrintfRecord), or null for the general one. */
const direct = new WeakMap<object, ((view: DataView, off: number) => string) | null>();

interface PrintfData {
  format: string;
  layout: RecordLayout;
  [k: string]: unknown;
}

export const printf: FunctionDef = {
  examples: [{ script: 'BEGIN { printf("%d %s %5.2s|\\n", 42, "x", "abc"); exit(); }', output: '42 x    ab|\n\n\n', sameAs017: true }],
  name: 'printf',
  check(ctx, call) {
    const [fmt, ...rest] = call.args;
    if (!fmt || fmt.kind !== 'StrLit') {
      ctx.error('printf() expects a string literal as its first argument', fmt ?? call);
      return none;
    }
    const types: Type[] = rest.map((a) => storageType(ctx.typeOf(a)));
    // An argument that already failed (type none) has been reported; checking the format against it
    // would only add a second, confusing error.
    const problem = types.some((t) => t.kind === 'none') ? null : checkPrintf(fmt.value, types);
    if (problem) ctx.error(problem.message, problem.argument !== null && rest[problem.argument] ? rest[problem.argument] : fmt);
    const data: PrintfData = { format: fmt.value, layout: layoutRecord(types) };
    ctx.addEvent(call, 'printf', data);
    return none;
  },
  emit(ctx, call) {
    const rest = call.args.slice(1);
    const layout = layoutRecord(rest.map((a) => storageType(ctx.typeOf(a))));
    emitRecord(ctx, call, layout, rest.map((a) => ctx.emit(a)));
    return { type: none, v: ctx.constInt(0) };
  },
  event: {
    handle(data, view, off, _len, rt) {
      const d = data as PrintfData;
      // The format is parsed once per call site, not once per event.
      let fast = direct.get(d);
      if (fast === undefined) direct.set(d, (fast = compilePrintfRecord(d.format, d.layout.args)));
      if (fast) return rt.write(fast(view, off));
      const format = (compiled.get(d) ?? compiled.set(d, compilePrintf(d.format, d.layout.args.map((a) => a.type))).get(d))!;
      rt.write(format(decodeRecordArgs(d.layout, view, off, rt)));
    },
  },
};
