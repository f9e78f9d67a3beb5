// reg("ip"): the value of a register when the probe fired, read from the struct pt_regs the probe's
// context holds (or begins with: a perf event's context). So kprobes, uprobes, usdt and perf-event
// probes (profile, interval, software, hardware, watchpoint) have it, as in bpftrace 0.17;
// tracepoints, kfuncs, raw tracepoints, iterators and BEGIN/END have no registers to read.

import { none, u64 } from '../../common/types';
import type { FunctionDef } from './types';

/** x86-64's struct pt_regs, in order, by bpftrace's names: a register's offset is 8 × its index. */
const REGISTERS = ['r15', 'r14', 'r13', 'r12', 'bp', 'bx', 'r11', 'r10', 'r9', 'r8', 'ax', 'cx', 'dx', 'si', 'di', 'orig_ax', 'ip', 'cs', 'flags', 'sp', 'ss'];


export const reg: FunctionDef = {
  name: 'reg',
  check(ctx, call) {
    const [name] = call.args;
    if (call.args.length !== 1 || name.kind !== 'StrLit') {
      ctx.error('reg() expects one string literal: a register name such as "ip" or "di"', name ?? call);
      return none;
    }
    if (!REGISTERS.includes(name.value)) {
      ctx.error(`'${name.value}' is not a valid register on this architecture (x86_64)`, name, `registers: ${REGISTERS.join(' ')}`);
      return none;
    }
    const p = ctx.probe;
    // A perf event's context starts with pt_regs.
    const context = p.type.context(p);
    if (context !== 'pt_regs' && context !== 'perf') {
      const through = p.type.tracedThrough?.(p);
      const why = through ? `${p.provider} probes traced through ${through}` : `${p.provider} probes`;
      ctx.error(`reg() is not available in ${why}: their context holds no registers`, call, 'reg() works in kprobe, uprobe, usdt, profile, interval, software, hardware and watchpoint probes');
      return none;
    }
    return { ...u64, space: ctx.defaultSpace() };
  },
  emit(ctx, call) {
    const name = call.args[0] as { value: string };
    const off = REGISTERS.indexOf(name.value) * 8;
    return { type: ctx.typeOf(call), v: ctx.b.load(ctx.i64, ctx.b.byteOffset(ctx.ctxArg, off, ctx.i64)) };
  },
};
