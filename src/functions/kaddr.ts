// kaddr("name"): the address of a kernel symbol, fixed at compile time from /proc/kallsyms (any
// symbol type, data included: kaddr("jiffies") is the usual use). The compile cache records
// /proc/kallsyms as an input, so a reboot (new KASLR offset) compiles afresh.

import { readFileSync } from 'node:fs';
import { none, u64, type IntType } from '../types';
import type { FunctionDef } from './types';

const kernelPtr: IntType = { ...u64, space: 'kernel' };

let table: Map<string, bigint> | undefined;
/** Whether /proc/kallsyms lists data objects (CONFIG_KALLSYMS_ALL), not just section markers. */
let hasData = false;

function kallsyms(): Map<string, bigint> {
  if (table) return table;
  table = new Map();
  for (const line of readFileSync('/proc/kallsyms', 'utf8').split('\n')) {
    const m = /^([0-9a-f]+) (\w) (\S+)/.exec(line);
    if (!m) continue;
    if (!table.has(m[3])) table.set(m[3], BigInt(`0x${m[1]}`));
    // Without KALLSYMS_ALL the only data symbols are linker markers such as __start_rodata.
    if (!hasData && /[dDbBrR]/.test(m[2]) && !m[3].startsWith('__')) hasData = true;
  }
  return table;
}

/** Why a name may be missing: a kernel built without CONFIG_KALLSYMS_ALL lists functions only. */
function missingHint(name: string): string {
  if (hasData) return 'kernel symbols are listed in /proc/kallsyms';
  return `this kernel's /proc/kallsyms lists only functions (it was built without CONFIG_KALLSYMS_ALL): if ${name} is a variable, its address is unknown here, and the kernel's BTF records only per-CPU variables`;
}

export const kaddr: FunctionDef = {
  name: 'kaddr',
  check(ctx, call) {
    const [name] = call.args;
    if (call.args.length !== 1 || name.kind !== 'StrLit') {
      ctx.error('kaddr() expects one string literal: the name of a kernel symbol', name ?? call);
      return none;
    }
    const addr = kallsyms().get(name.value);
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
    return { type: kernelPtr, v: ctx.constInt(name.kind === 'StrLit' ? kallsyms().get(name.value)! : 0n) };
  },
};
