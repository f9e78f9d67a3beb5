// Where the binary of a uprobe or usdt probe is: a path, a command on PATH, or a library name
// resolved like the dynamic loader does (libc → /lib/x86_64-linux-gnu/libc.so.6).

import { host } from './host';
import { resolveLibrary } from './ldcache';

export function resolveBinary(name: string): string | null {
  const h = host();
  if (name.includes('/')) return h.exists(name) ? name : null;
  for (const dir of (process.env.PATH ?? '/usr/bin:/bin').split(':')) {
    const p = `${dir}/${name}`;
    if (h.executable(p)) return p;
  }
  const lib = resolveLibrary(name);
  return lib && h.exists(lib) ? lib : null;
}
