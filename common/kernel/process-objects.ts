// A running process's ELF objects, named through its own root (/proc/PID/root/PATH) as bpftrace
// names them: the path a process sees is then right from here too, even when the process lives in
// another mount namespace (a container) where that path means a different file or none.

import { readlinkSync } from 'node:fs';
import { host } from './host';
import { readMappings } from './proc-maps';

/** `path` as process `pid` sees it, reachable from here. */
export const throughRoot = (pid: number, path: string): string => `/proc/${pid}/root${path}`;

/** Whether `path` starts with the ELF magic: a mapped data file (a locale archive) can be large,
 * and is not worth parsing to find out. */
export function isElfFile(path: string): boolean {
  try {
    return host().readHead(path, 4).toString('latin1') === '\x7fELF';
  } catch {
    return false;
  }
}

/** The files process `pid` maps (its executable, its libraries), each once, in mapping order,
 * through its root; only ELF files. Throws when the mappings cannot be read (the process is gone). */
export function processObjects(pid: number): string[] {
  const maps = readMappings(pid);
  if (!maps) throw new Error(`cannot read /proc/${pid}/maps`);
  const paths = new Set(maps.map((m) => m.path));
  return [...paths].map((p) => throughRoot(pid, p)).filter(isElfFile);
}

/** The executable of process `pid` through its root, or null when it cannot be read. */
export function processExecutable(pid: number): string | null {
  try {
    return throughRoot(pid, readlinkSync(`/proc/${pid}/exe`));
  } catch {
    return null;
  }
}
