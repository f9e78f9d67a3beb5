// The kernel functions a kprobe wildcard expands over. tracefs's available_filter_functions is the
// exact list, but it is root-only, absent without ftrace, and unreadable under some lockdowns; then
// /proc/kallsyms's text symbols stand in (as bpftrace does), minus what no kprobe can sit on:
// freed __init code, noinstr/entry/kprobes sections, compiler-split `.cold` fragments, CFI
// preambles, and the kprobe blacklist when debugfs has it.

import { filterFunctions } from './ftrace';
import { perHost, tryReadText } from './host';
import { isText, kallsyms } from './kallsyms';

export interface KernelFunctions {
  names: string[];
  /** Where the names came from, for -v and diagnostics. */
  source: 'available_filter_functions' | 'kallsyms';
}

/** Address ranges (start symbol, end symbol) in which the kernel never allows a kprobe. */
const FORBIDDEN: Array<[string, string]> = [
  ['_sinittext', '_einittext'],
  ['__entry_text_start', '__entry_text_end'],
  ['__irqentry_text_start', '__irqentry_text_end'],
  ['__noinstr_text_start', '__noinstr_text_end'],
  ['__kprobes_text_start', '__kprobes_text_end'],
  ['__softirqentry_text_start', '__softirqentry_text_end'],
];

function blacklist(): Set<string> {
  // Lines are "0xSTART-0xEND\tname".
  const text = tryReadText('/sys/kernel/debug/kprobes/blacklist') ?? '';
  return new Set(text.split('\n').map((l) => l.split(/\s+/)[1]).filter(Boolean));
}

function fromKallsyms(): string[] {
  const k = kallsyms();
  const syms: Array<[bigint, string]> = [];
  const marks = new Map<string, bigint>();
  for (let i = 0; i < k.names.length; i++) {
    if (!isText(k.types[i])) continue;
    const name = k.names[i];
    const addr = k.addrs[i];
    if (name.startsWith('_') && /_(text_start|text_end|sinittext|einittext)$/.test(name)) marks.set(name, addr);
    if (addr === 0n) continue; // kptr_restrict hides addresses: nothing to range-check, nothing sensible
    syms.push([addr, name]);
  }
  const ranges = FORBIDDEN.flatMap(([s, e]) => (marks.has(s) && marks.has(e) ? [[marks.get(s)!, marks.get(e)!] as const] : []));
  const banned = blacklist();
  const names = new Set<string>();
  for (const [addr, name] of syms) {
    if (name.startsWith('__pfx_') || name.startsWith('__cfi_') || name.endsWith('.cold') || /\.cold\.\d+$/.test(name)) continue;
    if (banned.has(name) || ranges.some(([s, e]) => addr >= s && addr < e)) continue;
    names.add(name);
  }
  return [...names];
}

/** Every function a kprobe can be placed on, read once per host. */
export function kernelFunctions(): KernelFunctions {
  return perHost('kprobe-functions', () => {
    const exact = filterFunctions();
    return exact ? { names: [...new Set(exact)], source: 'available_filter_functions' } : { names: fromKallsyms(), source: 'kallsyms' };
  });
}

/**
 * The text symbols of the modules whose names match `module` (a glob; `vmlinux` is the kernel
 * itself), from /proc/kallsyms, for `kprobe:MODULE:FUNC` (bpftrace 0.22+).
 */
export function functionsOfModule(module: RegExp): Set<string> {
  const k = kallsyms();
  const out = new Set<string>();
  for (let i = 0; i < k.names.length; i++) {
    if (isText(k.types[i]) && module.test(k.modules[i] ?? 'vmlinux')) out.add(k.names[i]);
  }
  return out;
}
