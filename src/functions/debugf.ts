// debugf(fmt, args...): formats in the kernel with bpf_trace_printk, so the text goes to the trace
// buffer (/sys/kernel/tracing/trace_pipe), not to bpfscript's output, as in bpftrace 0.17. The
// helper takes at most three arguments; %s arguments are the address of a string on the stack.

import { checkPrintf, parseFormat } from '../format/printf';
import { none, type Type } from '../../common/types';
import type { FunctionDef } from './types';
import { storageType } from './storage';
import { BpfHelper } from '../../common/kernel/bpf-helpers';

const MAX_ARGS = 3;

export const debugf: FunctionDef = {
  name: 'debugf',
  check(ctx, call) {
    const [fmt, ...rest] = call.args;
    if (!fmt || fmt.kind !== 'StrLit') {
      ctx.error('debugf() expects a string literal as its first argument', fmt ?? call, 'e.g. debugf("pid %d\\n", pid)');
      return none;
    }
    ctx.typeOf(fmt);
    const types: Type[] = rest.map((a) => storageType(ctx.typeOf(a)));
    if (types.some((t) => t.kind === 'none')) return none;
    if (parseFormat(fmt.value).conversions.length > MAX_ARGS) {
      ctx.error('debugf: Cannot use more than 3 conversion specifiers', call, 'bpf_trace_printk takes at most 3 arguments: split the message, or use printf()');
      return none;
    }
    const problem = checkPrintf(fmt.value, types, 'debugf');
    if (problem) {
      ctx.error(problem.message, problem.argument !== null && rest[problem.argument] ? rest[problem.argument] : fmt);
      return none;
    }
    const i = types.findIndex((t) => t.kind !== 'int' && !(t.kind === 'string' && !t.format));
    if (i >= 0) {
      // Values printed in user space (ntop, username, ksym …) are not text in the kernel.
      ctx.error('debugf() only takes integers and plain strings: this value becomes text only in user space', rest[i], 'print it with printf() instead');
      return none;
    }
    // bpftrace 0.17's warning, word for word: scripts that expect it on stderr see it.
    ctx.warning?.('The debugf() builtin is not recommended for production use. For more information see bpf_trace_printk in bpf-helpers(7).', call);
    return none;
  },
  emit(ctx, call) {
    const [fmt, ...rest] = call.args;
    const f = ctx.emit(fmt);
    const size = Buffer.byteLength((fmt as { value: string }).value, 'latin1') + 1;
    const i32 = ctx.c.int(32);
    const vals = rest.map((a) => ctx.emit(a));
    const argTys = vals.map((v) => (v.type.kind === 'int' ? ctx.i64 : ctx.i8p));
    ctx.b.helper(BpfHelper.TRACE_PRINTK, ctx.i64, [ctx.i8p, i32, ...argTys], [f.v, ctx.c.constInt(i32, size), ...vals.map((v) => v.v)], 'debugf');
    return { type: none, v: ctx.constInt(0) };
  },
};
