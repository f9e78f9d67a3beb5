// uaddr("sym"): the address of a symbol (a global variable, usually) in the binary a uprobe or
// usdt probe attaches to, fixed at compile time from its ELF symbol table as bpftrace does. The
// value is a user-space pointer, so str()/buf()/casts read it from user memory. As in bpftrace,
// the address is the ELF one: right for non-PIE executables, not for shared libraries.

import { ElfFile } from '../kernel/elf';
import { elfSymbols } from '../kernel/elf-symbols';
import { none, u64, type IntType } from '../types';
import type { FunctionDef } from './types';

const userPtr: IntType = { ...u64, space: 'user' };

function symbolAddress(binary: string, name: string): bigint | null {
  const s = elfSymbols(ElfFile.open(binary)).find((x) => x.name === name && x.addr !== 0n);
  return s ? s.addr : null;
}

const addrs = new WeakMap<object, bigint>();

export const uaddr: FunctionDef = {
  name: 'uaddr',
  check(ctx, call) {
    const [name] = call.args;
    if (call.args.length !== 1 || name.kind !== 'StrLit') {
      ctx.error('uaddr() expects one string literal: the name of a symbol', name ?? call, 'for example uaddr("my_global")');
      return none;
    }
    const binary = ctx.probe.type.userBinary?.(ctx.probe);
    if (binary === undefined) {
      ctx.error('uaddr can only be used with uprobe, uretprobe and usdt probes', call, 'it looks the symbol up in the binary the probe attaches to');
      return none;
    }
    const addr = symbolAddress(binary, name.value);
    if (addr === null) {
      ctx.error(`Could not resolve symbol: ${binary}:${name.value}`, call, `list the binary's symbols with: nm ${binary}`);
      return none;
    }
    addrs.set(call, addr);
    return userPtr;
  },
  emit(ctx, call) {
    const name = call.args[0];
    const addr = addrs.get(call) ?? (name.kind === 'StrLit' ? symbolAddress(ctx.probe.type.userBinary!(ctx.probe), name.value) : null) ?? 0n;
    return { type: userPtr, v: ctx.constInt(addr) };
  },
};
