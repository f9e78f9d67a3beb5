// ksym(addr) and usym(addr): an address that prints as the name of the function containing it
// (no offset), or as 0x… when nothing contains it, like bpftrace. The probe records the address;
// usym also records the process id so user space resolves it against that process's mappings.
// Resolution happens in user space when the value is printed (ksymFormat, usymFormat).

import { Opcode } from '../codegen/llvm';
import { none, type StringType } from '../../common/types';
import type { FunctionDef, ValueFormat } from './types';
import { BpfHelper } from '../../common/kernel/bpf-helpers';

function define(user: boolean): FunctionDef {
  const name = user ? 'usym' : 'ksym';
  const type: StringType = { kind: 'string', size: user ? 16 : 8, format: user ? 'usym' : 'ksym' };
  return {
    name,
    check(ctx, call) {
      if (call.args.length !== 1) {
        ctx.error(`${name}() takes one argument: an address`, call, `for example ${name}(${user ? 'reg("ip")' : 'arg0'})`);
        return none;
      }
      const t = ctx.typeOf(call.args[0]);
      if (t.kind !== 'int') {
        if (t.kind !== 'none') ctx.error(`${name}() expects an integer or pointer argument`, call);
        return none;
      }
      return type;
    },
    emit(ctx, call) {
      const { b, c } = ctx;
      const addr = ctx.emit(call.args[0]);
      const out = ctx.zeroed(type.size, name);
      const slots = b.bitcast(out, c.ptr(ctx.i64));
      b.store(b.intCast(addr.v, ctx.i64, addr.type.kind === 'int' && addr.type.signed), slots);
      if (user) {
        const tgid = b.binop(Opcode.LShr, b.helper(BpfHelper.GET_CURRENT_PID_TGID, ctx.i64, [], [], 'pid_tgid'), ctx.constInt(32));
        b.store(tgid, b.byteOffset(out, 8, ctx.i64));
      }
      return { type, v: out };
    },
  };
}

export const ksym = define(false);
ksym.examples = [{ script: 'BEGIN { printf("%s\\n", ksym(kaddr("vfs_read"))); exit(); }', output: 'vfs_read\n\n\n', sameAs017: true }];
export const usym = define(true);
usym.examples = [{ script: 'BEGIN { printf("%s\\n", usym(1)); exit(); }', output: '0x1\n\n\n' }];

export const ksymFormat: ValueFormat = {
  name: 'ksym',
  examples: [{ script: 'BEGIN { @ = ksym(kaddr("vfs_read")); exit(); }', output: '\n\n@: vfs_read\n', sameAs017: true }],
  decode: (view, off, _t, host) => host.kernelSymbol(view.getBigUint64(off, true), false),
  printf: 'string',
  joinsMapLines: true,
  namesType: true,
};

export const usymFormat: ValueFormat = {
  name: 'usym',
  examples: [{ script: 'BEGIN { @ = usym(1); exit(); }', output: '\n\n@: 0x1\n' }],
  decode: (view, off, _t, host) => host.userSymbol(view.getBigUint64(off, true), Number(view.getBigUint64(off + 8, true)), false, false),
  printf: 'string',
  joinsMapLines: true,
  namesType: true,
};
