// pid, tid, uid, gid: halves of bpf_get_current_pid_tgid() and bpf_get_current_uid_gid().

import { Opcode } from '../codegen/llvm';
import { statSync } from 'node:fs';
import type { Builtin } from '../ast';
import { none, u32 } from '../../common/types';
import type { BuiltinDef, EmitContext, FunctionDef } from './types';
import { BpfHelper } from '../../common/kernel/bpf-helpers';

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
pid.examples = [{ script: 'BEGIN { printf("%d\\n", pid > 0); exit(); }', output: '1\n\n\n', sameAs017: true }];
export const tid = half('tid', BpfHelper.GET_CURRENT_PID_TGID, false);
tid.examples = [{ script: 'BEGIN { printf("%d\\n", tid > 0); exit(); }', output: '1\n\n\n', sameAs017: true }];
export const uid = half('uid', BpfHelper.GET_CURRENT_UID_GID, false);
uid.examples = [{ script: 'BEGIN { printf("%d\\n", uid); exit(); }', output: '0\n\n\n', sameAs017: true }];
export const gid = half('gid', BpfHelper.GET_CURRENT_UID_GID, true);
gid.examples = [{ script: 'BEGIN { printf("%d\\n", gid); exit(); }', output: '0\n\n\n', sameAs017: true }];

/** PROC_PID_INIT_INO: the inode of the initial PID namespace (/proc/self/ns/pid). */
const INIT_PID_NS_INO = 0xeffffffc;

function inInitPidNamespace(): boolean {
  try {
    return statSync('/proc/self/ns/pid').ino === INIT_PID_NS_INO;
  } catch {
    return true;
  }
}

/**
 * pid(init), tid(init), pid(curr_ns), tid(curr_ns) (bpftrace 0.23+): the id as the initial PID
 * namespace sees it, or as bpfscript's own namespace does. They agree when bpfscript runs in the
 * initial namespace; from inside another one curr_ns is refused for now.
 */
function nsForm(def: BuiltinDef): FunctionDef {
  return {
    name: def.name,
    check(ctx, call) {
      const [ns] = call.args;
      if (call.args.length === 0) return def.check(ctx, call as unknown as Builtin);
      if (call.args.length > 1 || ns.kind !== 'Builtin' || (ns.name !== 'init' && ns.name !== 'curr_ns')) {
        ctx.error(`${def.name}() takes a namespace: ${def.name}(init) or ${def.name}(curr_ns)`, call.args[call.args.length > 1 ? 1 : 0]);
        return none;
      }
      if (ns.name === 'curr_ns' && !inInitPidNamespace()) {
        ctx.error(`${def.name}(curr_ns) inside a PID namespace other than the initial one is not supported yet`, ns, `${def.name}(init) gives the id the initial namespace sees`);
        return none;
      }
      return def.check(ctx, call as unknown as Builtin);
    },
    emit: (ctx, call) => def.emit(ctx, call as unknown as Builtin),
  };
}

export const pidOf = nsForm(pid);
pidOf.examples = [{ script: 'BEGIN { printf("%d\\n", pid(init) == pid); exit(); }', output: '1\n\n\n' }];
export const tidOf = nsForm(tid);
tidOf.examples = [{ script: 'BEGIN { printf("%d\\n", tid(init) == tid); exit(); }', output: '1\n\n\n' }];
