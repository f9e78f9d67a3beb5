// /proc/kallsyms, parsed once per host for everyone who asks: kprobe wildcard expansion, kaddr(),
// kprobe_multi's addresses, ksym()/kstack symbolisation. Addresses are real only as root
// (kptr_restrict shows the rest as 0).

import { perHost, tryReadText } from './host';

/** The file's lines as parallel columns, in the file's order. */
export interface Kallsyms {
  addrs: bigint[];
  /** The nm-style type letter: t/T text, d/D data, b/B bss, r/R read-only, w/W weak … */
  types: string[];
  names: string[];
  /** The module a symbol belongs to ("[module]" after a tab); undefined for the kernel's own. */
  modules: (string | undefined)[];
}

export function parseKallsyms(text: string): Kallsyms {
  const out: Kallsyms = { addrs: [], types: [], names: [], modules: [] };
  for (const line of text.split('\n')) {
    // "ffffffff81234560 T vfs_read" or "ffffffffc0a01000 t fn\t[module]"
    const sp = line.indexOf(' ');
    if (sp <= 0 || line[sp + 2] !== ' ') continue;
    const rest = line.slice(sp + 3);
    const tab = rest.indexOf('\t');
    const name = tab < 0 ? rest : rest.slice(0, tab);
    if (!name) continue;
    const mod = tab < 0 ? undefined : /^\[(\S+)\]/.exec(rest.slice(tab + 1).trimStart())?.[1];
    out.addrs.push(BigInt(`0x${line.slice(0, sp)}`));
    out.types.push(line[sp + 1]);
    out.names.push(name);
    out.modules.push(mod);
  }
  return out;
}

/** The running kernel's symbols; empty when /proc/kallsyms cannot be read. */
export function kallsyms(): Kallsyms {
  return perHost('kallsyms', () => parseKallsyms(tryReadText('/proc/kallsyms', 'latin1') ?? ''));
}

export const isText = (type: string): boolean => type === 't' || type === 'T';

/** First address of every text symbol (what the kernel's name lookup returns). */
export function textAddresses(): Map<string, bigint> {
  return perHost('kallsyms:text', () => {
    const k = kallsyms();
    const out = new Map<string, bigint>();
    for (let i = 0; i < k.names.length; i++) if (isText(k.types[i]) && !out.has(k.names[i])) out.set(k.names[i], k.addrs[i]);
    return out;
  });
}

/** First address of every symbol of any type (kaddr("jiffies")), and whether data symbols are listed. */
export function symbolAddresses(): { addrs: Map<string, bigint>; hasData: boolean } {
  return perHost('kallsyms:all', () => {
    const k = kallsyms();
    const addrs = new Map<string, bigint>();
    let hasData = false;
    for (let i = 0; i < k.names.length; i++) {
      const name = k.names[i];
      if (!addrs.has(name)) addrs.set(name, k.addrs[i]);
      // Without CONFIG_KALLSYMS_ALL the only data symbols are linker markers such as __start_rodata.
      if (!hasData && /[dDbBrR]/.test(k.types[i]) && !name.startsWith('__')) hasData = true;
    }
    return { addrs, hasData };
  });
}
