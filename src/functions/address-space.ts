// kptr(x) and uptr(x): the same value, marked as an address in kernel or user memory, so str(),
// macaddr() and dereferences pick the matching read helper (bpftrace 0.17's address-space
// overrides, for pointers whose origin the probe type guesses wrongly).

import { none, type AddrSpace } from '../../common/types';
import type { FunctionDef } from './types';

function override(name: string, space: AddrSpace): FunctionDef {
  return {
    name,
    check(ctx, call) {
      if (call.args.length !== 1) {
        ctx.error(`${name}() takes one argument: an address`, call);
        return none;
      }
      const t = ctx.typeOf(call.args[0]);
      if (t.kind === 'none') return none;
      if (t.kind !== 'int') {
        ctx.error(`${name}() only supports integer or pointer arguments (${t.kind} provided)`, call.args[0]);
        return none;
      }
      return { ...t, space };
    },
    emit(ctx, call) {
      const v = ctx.emit(call.args[0]);
      return { type: ctx.typeOf(call), v: v.v };
    },
  };
}

export const kptr = override('kptr', 'kernel');
kptr.examples = [{ script: 'BEGIN { printf("%d\\n", kptr(curtask) == curtask); exit(); }', output: '1\n\n\n' }];
export const uptr = override('uptr', 'user');
uptr.examples = [{ script: 'BEGIN { printf("%d\\n", uptr(1) == 1); exit(); }', output: '1\n\n\n' }];
