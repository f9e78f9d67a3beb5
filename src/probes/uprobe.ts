// uprobe:BINARY:SYMBOL, uprobe:BINARY:0xOFFSET and uretprobe. A binary without a '/' is looked up
// like a command on PATH, or as a library name (libc → the libc.so.6 the system uses).

import { accessSync, constants, existsSync, readdirSync } from 'node:fs';
import type { AttachPoint } from '../ast';
import { error } from '../diagnostics';
import { ptRegsArgs, ptRegsRetval } from './pt-regs';
import type { ExpandedProbe, ProbeType } from './types';

const LIB_DIRS = ['/lib/x86_64-linux-gnu', '/usr/lib/x86_64-linux-gnu', '/lib64', '/usr/lib64', '/lib', '/usr/lib', '/usr/local/lib'];

export function resolveBinary(name: string): string | null {
  if (name.includes('/')) return existsSync(name) ? name : null;
  for (const dir of (process.env.PATH ?? '/usr/bin:/bin').split(':')) {
    const p = `${dir}/${name}`;
    try {
      accessSync(p, constants.X_OK);
      return p;
    } catch {
      // keep looking
    }
  }
  const base = name.startsWith('lib') ? name : `lib${name}`;
  for (const dir of LIB_DIRS) {
    let files: string[];
    try {
      files = readdirSync(dir);
    } catch {
      continue;
    }
    const hit = files.filter((f) => f === `${base}.so` || f.startsWith(`${base}.so.`)).sort((a, b) => a.length - b.length)[0];
    if (hit) return `${dir}/${hit}`;
  }
  return null;
}

function userProbe(name: 'uprobe' | 'uretprobe', alias: string): ProbeType {
  const ret = name === 'uretprobe';
  return {
    name,
    aliases: [alias],
    expand(ap: AttachPoint): ExpandedProbe[] {
      if (ap.parts.length !== 2 || !ap.parts[0] || !ap.parts[1]) {
        throw error(`${name} probe must be ${name}:binary:symbol, got ${ap.raw}`, ap.span);
      }
      const [bin, target] = ap.parts;
      const path = resolveBinary(bin);
      if (!path) throw error(`binary not found: ${bin}`, ap.span, 'give a full path, a command on PATH, or a library name such as libc');
      const attach: Record<string, string | number | boolean> = { binary: path, retprobe: ret };
      if (/^(0x[0-9a-fA-F]+|\d+)$/.test(target)) attach.offset = Number(target);
      else attach.funcName = target;
      return [{ provider: name, name: `${name}:${path}:${target}`, section: name, attach, ap }];
    },
    args: ret ? undefined : ptRegsArgs,
    retval: () => (ret ? ptRegsRetval : null),
  };
}

export const uprobe = userProbe('uprobe', 'u');
export const uretprobe = userProbe('uretprobe', 'ur');
