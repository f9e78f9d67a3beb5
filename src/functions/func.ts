// func: the traced function's name. An attach point is usually a program of its own, so the name
// is known when compiling: a string constant, no symbol lookup at run time. A kprobe_multi program
// serves every match of a wildcard, so there the kernel names the function that fired: the
// function's address (bpf_get_func_ip) printed with %ps by bpf_snprintf.
// bpftrace 0.26 types func in kernel probes as a ksym (the address, named when printed): under
// --compat 0.26 it is one, so a map that holds ksym() values also takes func (master's xfsdist.bt).

import { none, stringType, type StringType } from '../../common/types';
import type { BuiltinDef, CheckContext, EmitContext } from './types';
import { BpfHelper } from '../../common/kernel/bpf-helpers';

let fmtGlobals = 0;

const ksymType: StringType = { kind: 'string', size: 8, format: 'ksym' };

/** func is a ksym here: a kernel probe under --compat 0.26. */
const isKsym = (ctx: CheckContext | EmitContext): boolean => ctx.options.dialect === '0.26' && ctx.probe.type.addressSpace === 'kernel';

/** The traced function's address as a ksym value, from the kernel (bpf_get_func_ip). */
function ksymOfFunction(ctx: EmitContext) {
  const { b, c } = ctx;
  const out = ctx.zeroed(8, 'func');
  const ip = b.helper(BpfHelper.GET_FUNC_IP, ctx.i64, [ctx.i8p], [ctx.ctxArg], 'func_ip');
  b.store(ip, b.bitcast(out, c.ptr(ctx.i64)));
  return { type: ksymType, v: out };
}

/** The name of the function that fired, from the kernel: "%ps" of its address, in `size` bytes. */
function nameFromAddress(ctx: EmitContext, size: number) {
  const { b, c, m } = ctx;
  // bpf_snprintf wants its format in a read-only map: a constant global of a .rodata.* section.
  const fmt = c.constString('%ps');
  const g = m.addGlobal(c.typeOf(fmt), `func_fmt_${fmtGlobals++}`, { init: fmt, section: '.rodata.func', constant: true, align: 1 });
  const data = ksymOfFunction(ctx).v;
  const buf = ctx.zeroed(size, 'func');
  const i32 = c.int(32);
  b.helper(BpfHelper.SNPRINTF, ctx.i64, [ctx.i8p, i32, ctx.i8p, ctx.i8p, i32],
    [buf, c.constInt(i32, size), b.bitcast(g, ctx.i8p), data, c.constInt(i32, 8)]);
  return { type: stringType(size), v: buf };
}

export const func: BuiltinDef = {
  name: 'func',
  check(ctx, node) {
    const f = ctx.probe.type.tracedFunction?.(ctx.probe);
    if (!f) {
      ctx.error(`func is not available in ${ctx.probe.provider} probes`, node, 'func names the traced function of kprobe, kretprobe, uprobe and uretprobe probes');
      return none;
    }
    if (isKsym(ctx)) return ksymType;
    return stringType('longest' in f ? f.longest + 1 : Buffer.byteLength(f.name, 'latin1') + 1);
  },
  emit: (ctx) => {
    if (isKsym(ctx)) return ksymOfFunction(ctx);
    const f = ctx.probe.type.tracedFunction!(ctx.probe)!;
    return 'longest' in f ? nameFromAddress(ctx, f.longest + 1) : ctx.stringConstant(f.name);
  },
};
