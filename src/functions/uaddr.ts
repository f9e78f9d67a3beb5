// uaddr("sym"): the address of a symbol (a global variable, usually) in the binary a uprobe or
// usdt probe attaches to, fixed at compile time from its ELF symbol table as bpftrace does. The
// value is a user-space pointer, so str()/buf()/casts read it from user memory. As in bpftrace,
// the address is the ELF one: right for non-PIE executables, not for shared libraries. The pointer
// reads a signed integer of the symbol's size (1, 2 or 4 bytes; 8 otherwise), as in bpftrace 0.17:
// `*uaddr("an_int")` reads 4 bytes, not 8.

import { ElfFile } from '../../common/kernel/elf';
import { elfSymbols } from '../../common/kernel/elf-symbols';
import { none, u64, type IntType } from '../../common/types';
import type { FunctionDef } from './types';

interface Found {
  addr: bigint;
  type: IntType;
}

function pointerTo(size: number): IntType {
  const bits = size === 1 ? 8 : size === 2 ? 16 : size === 4 ? 32 : 64;
  return { ...u64, space: 'user', elem: { kind: 'int', bits, signed: true } };
}

function findSymbol(binary: string, name: string): Found | null {
  const s = elfSymbols(ElfFile.open(binary)).find((x) => x.name === name && x.addr !== 0n);
  return s ? { addr: s.addr, type: pointerTo(s.size) } : null;
}

const found = new WeakMap<object, Found>();

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
    const f = findSymbol(binary, name.value);
    if (!f) {
      ctx.error(`Could not resolve symbol: ${binary}:${name.value}`, call, `list the binary's symbols with: nm ${binary}`);
      return none;
    }
    found.set(call, f);
    return f.type;
  },
  emit(ctx, call) {
    const name = call.args[0];
    const f = found.get(call) ?? (name.kind === 'StrLit' ? findSymbol(ctx.probe.type.userBinary!(ctx.probe)!, name.value) : null);
    return { type: ctx.typeOf(call), v: ctx.constInt(f?.addr ?? 0n) };
  },
};
