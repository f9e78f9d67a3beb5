// Symbolisation for ksym/usym/kstack/ustack and for -l: kernel symbols from /proc/kallsyms, user
// symbols from the ELF symbol tables of a process's mapped objects.
//
//   kernelSymbols().resolve(addr)          → { name, offset, module? } | null
//   processSymbols(pid)?.resolve(addr)     → { name, offset, object } | null
//   rememberProcess(pid)                   snapshot mappings now, to resolve after the process exits
//   formatSymbol(sym, withOffset)          "name" or "name+off", as bpftrace prints it

export { kernelSymbols, KernelSymbols } from './kernel';
export { processSymbols, rememberProcess, forgetProcess, readMappings, ProcessSymbols, type Mapping } from './user';
export type { ResolvedSymbol } from './table';

import type { ResolvedSymbol } from './table';

/** bpftrace's form: `name+offset` (offset in decimal) when asked for it and non-zero, else `name`. */
export function formatSymbol(s: ResolvedSymbol, withOffset: boolean): string {
  return withOffset && s.offset ? `${s.name}+${s.offset}` : s.name;
}
