// pid, tid, uid, gid: halves of bpf_get_current_pid_tgid() and bpf_get_current_uid_gid().

import { Opcode } from '../codegen/llvm';
import { u32 } from '../types';
import type { BuiltinDef, EmitContext } from './types';
import { BpfHelper } from '../kernel/bpf-helpers';

function half(name: string, helper: number, upper: boolean): BuiltinDef {
  return {
    name,
    check: () => u32,
    emit(ctx: EmitContext) {
      const both = ctx.b.helper(helper, ctx.i64, [], [], name);
      const v = upper
        ? ctx.b.binop(Opcode.LShr, both, ctx.constInt(32))
        : ctx.b.binop(Opcode.And, both, ctx.constInt(0xffffffff));
      return { type: u32, v };
    },
  };
}

export const pid = half('pid', BpfHelper.GET_CURRENT_PID_TGID, true);
export const tid = half('tid', BpfHelper.GET_CURRENT_PID_TGID, false);
export const uid = half('uid', BpfHelper.GET_CURRENT_UID_GID, false);
export const gid = half('gid', BpfHelper.GET_CURRENT_UID_GID, true);
