// kprobe:func, kprobe:func+offset, kprobe:module:func and kretprobe:func. Wildcards expand over
// the kernel's traceable functions (available_filter_functions).

import { readFileSync } from 'node:fs';
import type { AttachPoint } from '../ast';
import { error } from '../diagnostics';
import { tracefsRoot } from '../semantic/tracefs';
import { ptRegsArgs, ptRegsRetval } from './pt-regs';
import type { ExpandedProbe, ProbeType } from './types';

function traceableFunctions(): string[] {
  const root = tracefsRoot();
  if (!root) return [];
  try {
    return readFileSync(`${root}/available_filter_functions`, 'utf8')
      .split('\n')
      .map((l) => l.split(/\s/)[0])
      .filter(Boolean);
  } catch {
    return [];
  }
}

function kernelProbe(name: 'kprobe' | 'kretprobe', aliases: string[]): ProbeType {
  const ret = name === 'kretprobe';
  const one = (ap: AttachPoint, func: string, offset: number): ExpandedProbe => ({
    provider: name,
    name: `${name}:${func}${offset ? `+${offset}` : ''}`,
    section: `${name}/${func}${offset ? `+${offset}` : ''}`,
    attach: { func, offset, retprobe: ret },
    ap,
  });
  return {
    name,
    aliases,
    expand(ap) {
      // kprobe:func, kprobe:module:func (the module only narrows wildcard matches here)
      const target = ap.parts[ap.parts.length - 1] ?? '';
      if (!target || ap.parts.length > 2) throw error(`${name} probe must be ${name}:function, got ${ap.raw}`, ap.span);
      const m = /^([\w.*?]+)(?:\+(\d+|0x[0-9a-fA-F]+))?$/.exec(target);
      if (!m) throw error(`invalid ${name} target '${target}'`, ap.span);
      const offset = m[2] ? Number(m[2]) : 0;
      if (offset && ret) throw error('kretprobe cannot take an offset', ap.span);
      if (!/[*?]/.test(m[1])) return [one(ap, m[1], offset)];
      const re = new RegExp(`^${m[1].replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.')}$`);
      const funcs = [...new Set(traceableFunctions().filter((f) => re.test(f)))];
      if (!funcs.length) {
        throw error(`no kernel function matches ${m[1]}`, ap.span, 'this kernel may have no kprobe support; list what can be traced with: bpfscript -l "kprobe:*"');
      }
      return funcs.map((f) => one(ap, f, 0));
    },
    args: ret ? undefined : ptRegsArgs,
    retval: () => (ret ? ptRegsRetval : null),
  };
}

export const kprobe = kernelProbe('kprobe', ['k']);
export const kretprobe = kernelProbe('kretprobe', ['kr']);
