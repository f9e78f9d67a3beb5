// The binary of a uprobe or usdt probe: a path, a command on PATH, or a library name resolved like
// the dynamic loader does (libc → /lib/x86_64-linux-gnu/libc.so.6), then opened as ELF; with -p,
// a path inside the process's mount namespace. A glob names several (globBinaries).

import type { AttachPoint } from '../ast';
import { error, missingTarget } from '../../common/diagnostics';
import { ElfFile, ElfFormatError } from '../../common/kernel/elf';
import { globBinaries, resolveBinary } from '../../common/kernel/binaries';

export { globBinaries, resolveBinary };

/** Resolves and parses the binary of an attach point, with a diagnostic on the attach point if it cannot. */
export function openBinary(ap: AttachPoint, name: string, pid?: number): { path: string; elf: ElfFile } {
  const path = resolveBinary(name, pid);
  if (!path) throw missingTarget(`binary not found: ${name}`, ap.span, 'give a full path, a command on PATH, or a library name such as libc');
  try {
    return { path, elf: ElfFile.open(path) };
  } catch (e) {
    if (e instanceof ElfFormatError) throw error(e.message, ap.span, 'uprobes and usdt probes attach to ELF executables and shared libraries');
    throw error(`cannot read ${path}: ${(e as Error).message}`, ap.span);
  }
}
