// username: the current task's uid, printed as its /etc/passwd name. The probe records the uid
// (the low half of bpf_get_current_uid_gid, as `uid`); usernameFormat names it when
// the value is decoded, so printf %s, print(), map keys and values all show the name.

import { Opcode } from '../codegen/llvm';
import type { StringType } from '../../common/types';
import type { BuiltinDef, ValueFormat } from './types';
import { BpfHelper } from '../../common/kernel/bpf-helpers';

export const usernameType: StringType = { kind: 'string', size: 8, format: 'username' };

export const username: BuiltinDef = {
  examples: [{ script: 'BEGIN { printf("%s\\n", username); exit(); }', output: /^\S+\n\n\n$/, sameAs017: true }],
  name: 'username',
  check: () => usernameType,
  emit(ctx) {
    const both = ctx.b.helper(BpfHelper.GET_CURRENT_UID_GID, ctx.i64, [], [], 'uidgid');
    const out = ctx.zeroed(8, 'username');
    ctx.b.store(ctx.b.binop(Opcode.And, both, ctx.constInt(0xffffffff)), ctx.b.bitcast(out, ctx.c.ptr(ctx.i64)));
    return { type: usernameType, v: out };
  },
};

export const usernameFormat: ValueFormat = {
  name: 'username',
  examples: [{ script: 'BEGIN { @ = username; exit(); }', output: /^\n\n@: \S+\n$/, sameAs017: true }],
  decode: (view, off, _t, host) => host.username(view.getBigUint64(off, true)),
  printf: 'string',
};
