// path(p): the full path of a `struct path` (a pointer, `args->path`, or one reached by value,
// `args->file->f_path`) via bpf_d_path. The kernel allows that helper only in fentry/fexit
// programs on an allow-list of functions and in some iterators, so like bpftrace 0.17 only
// kfunc, kretfunc and iter probes may call it.

import { probeTypes, type ProbeType } from '../probes';
import { none, stringType } from '../../common/types';
import type { FunctionDef } from './types';
import { BpfHelper } from '../../common/kernel/bpf-helpers';

const pathAllowed = (t: ProbeType): boolean => !!t.mayReadPath;

export const path: FunctionDef = {
  name: 'path',
  check(ctx, call) {
    if (call.args.length !== 1) {
      ctx.error(`path() requires 1 argument (${call.args.length} provided)`, call, 'pass a struct path, e.g. path(args->file->f_path) in kfunc:security_file_open');
      return none;
    }
    if (!pathAllowed(ctx.probe.type)) {
      const where = probeTypes().filter(pathAllowed).map((t) => `'${t.name}'`).join(', ');
      ctx.error(`The path function can only be used with ${where} probes`, call, `bpf_d_path is not allowed in ${ctx.probe.provider} programs: use a kfunc probe on a function the kernel allows it in, e.g. kfunc:security_file_open { path(args->file->f_path) }`);
      return none;
    }
    const t = ctx.typeOf(call.args[0]);
    if (t.kind === 'none') return none;
    if (t.kind !== 'record' && !(t.kind === 'int' && t.pointee !== undefined)) {
      ctx.error(`path() only supports pointer or record argument (${t.kind === 'int' ? 'integer' : t.kind} provided)`, call.args[0], 'pass a struct path, e.g. path(args->file->f_path) in kfunc:security_file_open');
      return none;
    }
    return stringType(ctx.options.strLen);
  },
  emit(ctx, call) {
    const { b, c } = ctx;
    const size = ctx.options.strLen;
    const buf = ctx.zeroed(size, 'path');
    const p = ctx.emit(call.args[0]);
    const i32 = c.int(32);
    b.helper(BpfHelper.D_PATH, ctx.i64, [ctx.i8p, ctx.i8p, i32], [b.intToPtr(p.v, ctx.i8p), buf, c.constInt(i32, size)], 'd_path');
    return { type: stringType(size), v: buf };
  },
};
