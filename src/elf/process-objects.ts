// A running process's ELF objects, named through its own root (/proc/PID/root/PATH) as bpftrace
// names them: the path a process sees is then right from here too, even when the process lives in
// another mount namespace (a container) where that path means a different file or none.

import { closeSync, openSync, readFileSync, readlinkSync, readSync } from 'node:fs';

/** `path` as process `pid` sees it, reachable from here. */
export const throughRoot = (pid: number, path: string): string => `/proc/${pid}/root${path}`;

/** Whether `path` starts with the ELF magic: a mapped data file (a locale archive) can be large,
 * and is not worth parsing to find out. */
export function isElfFile(path: string): boolean {
  let fd: number | undefined;
  try {
    fd = openSync(path, 'r');
    const magic = Buffer.alloc(4);
    return readSync(fd, magic, 0, 4, 0) === 4 && magic.toString('latin1') === '\x7fELF';
  } catch {
    return false;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/** The files process `pid` maps (its executable, its libraries), each once, in mapping order,
 * through its root; only ELF files. Throws when the mappings cannot be read (the process is gone). */
export function processObjects(pid: number): string[] {
  const maps = readFileSync(`/proc/${pid}/maps`, 'utf8');
  const paths = new Set<string>();
  for (const line of maps.split('\n')) {
    const path = line.split(/\s+/).slice(5).join(' ');
    if (path.startsWith('/') && !path.endsWith(' (deleted)')) paths.add(path);
  }
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
