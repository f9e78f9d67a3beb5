// The binary of a uprobe or usdt probe: a path, a command on PATH, or a library name resolved like
// the dynamic loader does (libc → /lib/x86_64-linux-gnu/libc.so.6), then opened as ELF.

import { accessSync, constants, existsSync, readlinkSync } from 'node:fs';
import type { AttachPoint } from '../ast';
import { error } from '../diagnostics';
import { ElfFile, ElfFormatError } from '../elf/elf';
import { resolveLibrary } from '../elf/ldcache';
import { throughRoot } from '../elf/process-objects';

/**
 * With `pid` (-p) of a process in another mount namespace, an absolute path means the file that
 * process sees there, reached through its root (/proc/PID/root/PATH), as bpftrace does for a
 * process in a container.
 */
export function resolveBinary(name: string, pid?: number): string | null {
  if (pid !== undefined && name.startsWith('/') && otherMountNamespace(pid)) {
    const rooted = throughRoot(pid, name);
    return existsSync(rooted) ? rooted : null;
  }
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
  const lib = resolveLibrary(name);
  return lib && existsSync(lib) ? lib : null;
}

function otherMountNamespace(pid: number): boolean {
  try {
    return readlinkSync(`/proc/${pid}/ns/mnt`) !== readlinkSync('/proc/self/ns/mnt');
  } catch {
    return false;
  }
}

/** Resolves and parses the binary of an attach point, with a diagnostic on the attach point if it cannot. */
export function openBinary(ap: AttachPoint, name: string, pid?: number): { path: string; elf: ElfFile } {
  const path = resolveBinary(name, pid);
  if (!path) throw error(`binary not found: ${name}`, ap.span, 'give a full path, a command on PATH, or a library name such as libc');
  try {
    return { path, elf: ElfFile.open(path) };
  } catch (e) {
    if (e instanceof ElfFormatError) throw error(e.message, ap.span, 'uprobes and usdt probes attach to ELF executables and shared libraries');
    throw error(`cannot read ${path}: ${(e as Error).message}`, ap.span);
  }
}
