// Where the binary of a uprobe or usdt probe is: a path, a command on PATH, or a library name
// resolved like the dynamic loader does (libc → /lib/x86_64-linux-gnu/libc.so.6).

import { accessSync, constants, readdirSync, readlinkSync, statSync } from 'node:fs';
import { host } from './host';
import { resolveLibrary } from './ldcache';
import { throughRoot } from './process-objects';
import { hasWildcard, wildcardRegex } from '../wildcard';

/**
 * With `pid` (-p) of a process in another mount namespace, an absolute path means the file that
 * process sees there, reached through its root (/proc/PID/root/PATH), as bpftrace does for a
 * process in a container.
 */
export function resolveBinary(name: string, pid?: number): string | null {
  const h = host();
  if (pid !== undefined && name.startsWith('/') && otherMountNamespace(pid)) {
    const rooted = throughRoot(pid, name);
    return h.exists(rooted) ? rooted : null;
  }
  if (name.includes('/')) return h.exists(name) ? name : null;
  for (const dir of (process.env.PATH ?? '/usr/bin:/bin').split(':')) {
    const p = `${dir}/${name}`;
    if (h.executable(p)) return p;
  }
  const lib = resolveLibrary(name);
  return lib && h.exists(lib) ? lib : null;
}

function otherMountNamespace(pid: number): boolean {
  try {
    return readlinkSync(`/proc/${pid}/ns/mnt`) !== readlinkSync('/proc/self/ns/mnt');
  } catch {
    return false;
  }
}

/** The regular files a glob names; `*` and `?` match within one path component, and a leading dot
 * only when the pattern's component starts with one (as the shell and glob(3) match). */
function globFiles(pattern: string): string[] {
  const parts = pattern.split('/');
  let dirs = [parts[0] === '' ? '/' : parts[0]];
  if (parts[0] === '' || !hasWildcard(parts[0])) parts.shift();
  else dirs = ['.'];
  const join = (dir: string, name: string) => (dir === '/' ? `/${name}` : dir === '.' && !pattern.startsWith('./') ? name : `${dir}/${name}`);
  for (let i = 0; i < parts.length; i++) {
    const part = parts[i];
    const next: string[] = [];
    for (const dir of dirs) {
      if (!hasWildcard(part)) {
        next.push(join(dir, part));
        continue;
      }
      const re = wildcardRegex(part);
      let names: string[];
      try {
        names = readdirSync(dir).sort();
      } catch {
        continue;
      }
      for (const n of names) if (re.test(n) && (!n.startsWith('.') || part.startsWith('.'))) next.push(join(dir, n));
    }
    dirs = next;
  }
  return dirs.filter((p) => {
    try {
      return statSync(p).isFile();
    } catch {
      return false;
    }
  });
}

/** A bare glob (no `/`) is looked for in each PATH directory, as a command name is. */
function globOnPath(pattern: string): string[] {
  const out: string[] = [];
  for (const dir of (process.env.PATH ?? '/usr/bin:/bin').split(':').filter(Boolean)) {
    for (const p of globFiles(`${dir}/${pattern}`)) {
      try {
        accessSync(p, constants.X_OK);
        out.push(p);
      } catch {
        // not a command
      }
    }
  }
  return out;
}

/** The files a binary glob names: a path glob, or a bare one (no `/`) on PATH, as a command. */
export function globBinaries(pattern: string): string[] {
  return pattern.includes('/') ? globFiles(pattern) : globOnPath(pattern);
}
