// sarg0..sarg9: a function's arguments passed on the stack (the seventh on, on x86-64), as bpftrace
// 0.17 defines them: the 8-byte slots above the return address at the probed function's entry,
// sargN at sp + 8 * (N + 1). Only kprobes and uprobes have the stack pointer at entry.

import { Opcode } from '../codegen/llvm';
import { probeReadHelper } from '../codegen/probe-read';
import { none, u64 } from '../../common/types';
import type { BuiltinDef } from './types';
import { PT_REGS_SP } from '../probes/pt-regs';

const COUNT = 10;

function sarg(n: number): BuiltinDef {
  const name = `sarg${n}`;
  return {
    name,
    check(ctx, node) {
      const p = ctx.probe;
      if (!p.type.stackArgs) {
        // bpftrace's wording.
        ctx.error(`The ${name} builtin can only be used with 'kprobes' and 'uprobes' probes`, node, p.type.retval?.(p) ? 'at a return the arguments are gone: save them in the entry probe (@args[tid] = sarg0)' : undefined);
        return none;
      }
      if (p.type.context(p) !== 'pt_regs') {
        ctx.error(`${name} needs the registers of a kprobe, and this kprobe is attached through fentry`, node, 'set BPFSCRIPT_KPROBE_VIA=kprobe to attach it as a kprobe');
        return none;
      }
      return u64;
    },
    emit(ctx) {
      const { b } = ctx;
      const sp = b.load(ctx.i64, b.byteOffset(ctx.ctxArg, PT_REGS_SP, ctx.i64));
      const addr = b.intToPtr(b.binop(Opcode.Add, sp, ctx.constInt(8 * (n + 1))), ctx.i8p);
      const slot = ctx.zeroed(8, name);
      const space = ctx.probe.type.addressSpace;
      b.helper(probeReadHelper(space), ctx.i64, [ctx.i8p, ctx.c.int(32), ctx.i8p], [slot, ctx.c.constInt(ctx.c.int(32), 8), addr]);
      return { type: u64, v: b.load(ctx.i64, b.byteOffset(slot, 0, ctx.i64)) };
    },
  };
}

export const sargBuiltins: BuiltinDef[] = Array.from({ length: COUNT }, (_, i) => sarg(i));
