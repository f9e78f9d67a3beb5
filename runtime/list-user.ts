// The binaries a uprobe/usdt `-l` query lists, as bpftrace 0.17 finds them: one binary as typed (a
// path, a command on PATH, a library name), a glob over paths (a bare glob searches PATH), or,
// with -p, the traced process's own objects through its root: its executable for uprobes, every
// object it maps for usdt, so a process in another mount namespace is listed too.

import { resolve } from 'node:path';
import { ElfFile } from '../common/kernel/elf';
import { isElfFile, processExecutable, processObjects } from '../common/kernel/process-objects';
import { globBinaries, resolveBinary } from '../common/kernel/binaries';
import { hasWildcard, wildcardRegex } from '../common/wildcard';
import type { ListQuery } from './attach/types';

export interface ListedObject {
  path: string;
  elf: ElfFile;
}

function open(path: string, provider: string, q: ListQuery, quiet: boolean): ListedObject | null {
  if (quiet && !isElfFile(path)) return null;
  try {
    return { path, elf: ElfFile.open(path) };
  } catch (e) {
    if (!quiet) q.warn(`cannot list ${provider} probes of ${path}: ${(e as Error).message}`);
    return null;
  }
}

/** The binaries named by the first part of a query (a glob's matches that are not ELF files, a
 * script on PATH, are passed over; a named binary that is missing or not ELF gets a warning). */
export function namedObjects(q: ListQuery, provider: string): ListedObject[] {
  const bin = q.parts[0];
  if (!bin) return [];
  if (hasWildcard(bin)) {
    const paths = globBinaries(bin);
    return paths.map((p) => open(p, provider, q, true)).filter((o): o is ListedObject => o !== null);
  }
  const path = resolveBinary(bin);
  if (!path) {
    q.warn(`binary not found: ${bin}`);
    return [];
  }
  const o = open(path, provider, q, false);
  return o ? [o] : [];
}

/** Process `pid`'s executable (what `-l 'uprobe:*' -p PID` lists), through its root. */
export function processExecutableObject(q: ListQuery, pid: number, provider: string): ListedObject[] {
  const path = processExecutable(pid);
  if (!path) {
    q.warn(`cannot read the executable of process ${pid}`);
    return [];
  }
  const o = open(path, provider, q, false);
  return o ? [o] : [];
}

/**
 * Every object process `pid` maps whose path matches the query's binary part, read as bpftrace
 * 0.17 reads it with -p: a binary given by path matches the object at that absolute path in the
 * process; `*` or none matches all.
 */
export function processObjectsMatching(q: ListQuery, pid: number, provider: string): ListedObject[] {
  let paths: string[];
  try {
    paths = processObjects(pid);
  } catch {
    q.warn(`cannot read the mappings of process ${pid}`);
    return [];
  }
  const bin = q.parts.length >= 2 ? q.parts[0] : '';
  const re = bin && bin !== '*' ? wildcardRegex(`*${resolve(bin)}`) : null;
  return paths
    .filter((p) => !re || re.test(p))
    .map((p) => open(p, provider, q, true))
    .filter((o): o is ListedObject => o !== null);
}
