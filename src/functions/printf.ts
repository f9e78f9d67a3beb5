// printf(fmt, args...): the arguments travel in an event record; user space formats them, so the
// BPF side costs one record copy and no string formatting.

import { formatPrintf, checkPrintf } from '../../runtime/format/printf';
import { none, type Type } from '../types';
import { decodeRecordArgs, emitRecord, layoutRecord, type RecordLayout } from './event-record';
import type { FunctionDef } from './types';
import { storageType } from './storage';

interface PrintfData {
  format: string;
  layout: RecordLayout;
  [k: string]: unknown;
}

export const printf: FunctionDef = {
  name: 'printf',
  check(ctx, call) {
    const [fmt, ...rest] = call.args;
    if (!fmt || fmt.kind !== 'StrLit') {
      ctx.error('printf() expects a string literal as its first argument', fmt ?? call);
      return none;
    }
    const types: Type[] = rest.map((a) => storageType(ctx.typeOf(a)));
    const problem = checkPrintf(fmt.value, types);
    if (problem) ctx.error(`printf: ${problem.message}`, problem.argIndex !== undefined && rest[problem.argIndex] ? rest[problem.argIndex] : fmt);
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
      const values = decodeRecordArgs(d.layout, view, off);
      rt.write(formatPrintf(d.format, d.layout.args.map((a, i) => ({ type: a.type, value: values[i] }))));
    },
  },
};
