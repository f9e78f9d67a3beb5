// kaddr("name"): the address of a kernel symbol, fixed at compile time from /proc/kallsyms (any
// symbol type, data included: kaddr("jiffies") is the usual use). The compile cache records
// /proc/kallsyms as an input, so a reboot (new KASLR offset) compiles afresh.

import { none, u64, type IntType } from '../../common/types';
import { symbolAddresses } from '../../common/kernel/kallsyms';
import type { FunctionDef } from './types';

const kernelPtr: IntType = { ...u64, space: 'kernel' };

/** Why a name may be missing: a kernel built without CONFIG_KALLSYMS_ALL lists functions only. */
function missingHint(name: string): string {
  if (symbolAddresses().hasData) return 'kernel symbols are listed in /proc/kallsyms';
  return `this kernel's /proc/kallsyms lists only functions (it was built without CONFIG_KALLSYMS_ALL): if ${name} is a variable, its address is unknown here, and the kernel's BTF records only per-CPU variables`;
}

export const kaddr: FunctionDef = {
  examples: [{ script: 'BEGIN { printf("%d\\n", kaddr("vfs_read") != 0); exit(); }', output: '1\n\n\n', sameAs017: true }],
  name: 'kaddr',
  check(ctx, call) {
    const [name] = call.args;
    if (call.args.length !== 1 || name.kind !== 'StrLit') {
      ctx.error('kaddr() expects one string literal: the name of a kernel symbol', name ?? call);
      return none;
    }
    const addr = symbolAddresses().addrs.get(name.value);
    if (addr === undefined) {
      ctx.error(`Failed to resolve kernel symbol: ${name.value}`, name, missingHint(name.value));
      return none;
    }
    if (addr === 0n) {
      ctx.error(`kernel symbol addresses are hidden (/proc/kallsyms shows 0): ${name.value}`, name, 'run as root, or lower kernel.kptr_restrict');
      return none;
    }
    return kernelPtr;
  },
  emit(ctx, call) {
    const name = call.args[0];
    return { type: kernelPtr, v: ctx.constInt(name.kind === 'StrLit' ? symbolAddresses().addrs.get(name.value)! : 0n) };
  },
};
