// The kernel functions a kprobe wildcard expands over. tracefs's available_filter_functions is the
// exact list, but it is root-only, absent without ftrace, and unreadable under some lockdowns; then
// /proc/kallsyms's text symbols stand in (as bpftrace does), minus what no kprobe can sit on:
// freed __init code, noinstr/entry/kprobes sections, compiler-split `.cold` fragments, CFI
// preambles, and the kprobe blacklist when debugfs has it.

import { readFileSync } from 'node:fs';
import { tracefsRoot } from '../kernel/tracefs';

export interface KernelFunctions {
  names: string[];
  /** Where the names came from, for -v and diagnostics. */
  source: 'available_filter_functions' | 'kallsyms';
}

let cached: KernelFunctions | undefined;

function fromTracefs(): string[] | null {
  const root = tracefsRoot() ?? '/sys/kernel/tracing';
  try {
    return readFileSync(`${root}/available_filter_functions`, 'utf8')
      .split('\n')
      .map((l) => l.split(/\s/)[0])
      .filter(Boolean);
  } catch {
    return null;
  }
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
  try {
    // Lines are "0xSTART-0xEND\tname".
    return new Set(readFileSync('/sys/kernel/debug/kprobes/blacklist', 'utf8').split('\n').map((l) => l.split(/\s+/)[1]).filter(Boolean));
  } catch {
    return new Set();
  }
}

function fromKallsyms(): string[] {
  let text: string;
  try {
    text = readFileSync('/proc/kallsyms', 'latin1');
  } catch {
    return [];
  }
  const syms: Array<[bigint, string]> = [];
  const marks = new Map<string, bigint>();
  for (const line of text.split('\n')) {
    // "ffffffff81234560 T vfs_read" or "... t name\t[module]"
    const sp1 = line.indexOf(' ');
    const type = line[sp1 + 1];
    if (type !== 't' && type !== 'T') continue;
    const rest = line.slice(sp1 + 3);
    const tab = rest.indexOf('\t');
    const name = tab < 0 ? rest : rest.slice(0, tab);
    const addr = BigInt(`0x${line.slice(0, sp1)}`);
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

/** Every function a kprobe can be placed on, read once per process. */
export function kernelFunctions(): KernelFunctions {
  if (!cached) {
    const exact = fromTracefs();
    cached = exact ? { names: [...new Set(exact)], source: 'available_filter_functions' } : { names: fromKallsyms(), source: 'kallsyms' };
  }
  return cached;
}
