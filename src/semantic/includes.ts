// `#include` lines and --include files. bpfscript runs no C compiler: kernel types come from BTF
// and the constants of a few headers from ./header-macros.ts, so a kernel header (linux/…, net/…)
// is accepted whether or not kernel headers are installed. Any other header must exist on the
// include path, as bpftrace's clang requires: `#include <lol/no.h>` is refused with clang's words.

import { existsSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { Include, Program } from '../ast';
import { BpfscriptError, type Diagnostic } from '../../common/diagnostics';
import { knownHeader } from '../../common/kernel/header-macros';

/** Top directories of the kernel's include/ tree: BTF stands in for these headers. */
const KERNEL_DIRS = new Set(['linux', 'net', 'uapi', 'asm', 'asm-generic', 'trace', 'crypto', 'scsi', 'sound', 'xen', 'rdma', 'video', 'drm', 'keys', 'misc', 'media', 'pcmcia', 'soc', 'clocksource', 'dt-bindings', 'math-emu', 'ras', 'kvm', 'acpi', 'vdso']);

function compilerDirs(): string[] {
  // The compiler's own headers (stddef.h, stdarg.h …), which clang has built in.
  const out: string[] = [];
  for (const base of ['/usr/lib/gcc/x86_64-linux-gnu', '/usr/lib/llvm-14/lib/clang']) {
    try {
      for (const v of readdirSync(base)) out.push(join(base, v, 'include'));
    } catch {
      // not installed
    }
  }
  return out;
}

const SYSTEM_DIRS = ['/usr/local/include', '/usr/include/x86_64-linux-gnu', '/usr/include'];

function found(inc: Include, dirs: readonly string[], scriptDir: string | undefined): boolean {
  if (knownHeader(inc.path) || KERNEL_DIRS.has(inc.path.split('/')[0])) return true;
  if (inc.path.startsWith('/')) return existsSync(inc.path);
  // A quoted header is looked for next to the script first.
  const search = [...(!inc.system && scriptDir !== undefined ? [scriptDir] : []), ...dirs, ...SYSTEM_DIRS, ...compilerDirs()];
  return search.some((d) => existsSync(join(d, inc.path)));
}

/**
 * Adds the --include files to the program's includes (as `#include <FILE>` before the script, as
 * bpftrace does) and refuses the headers found nowhere. `dirs`: the -I directories.
 */
export function checkIncludes(program: Program, file: string, extra: readonly string[] = [], dirs: readonly string[] = []): void {
  const noSpan = { file: '', start: 0, end: 0, line: 0, col: 0, endLine: 0, endCol: 0 };
  const added: Include[] = extra.map((path) => ({ kind: 'Include', path, system: true, span: noSpan }));
  const scriptDir = file === 'stdin' ? undefined : dirname(file);
  const missing: Diagnostic[] = [];
  for (const inc of [...added, ...program.includes]) {
    if (found(inc, dirs, scriptDir)) continue;
    missing.push({
      severity: 'ERROR',
      // clang's words, which bpftrace prints.
      message: `'${inc.path}' file not found`,
      span: inc.span === noSpan ? undefined : inc.span,
      hint: `no such header on the include path (${[...dirs, ...SYSTEM_DIRS].join(', ')}); add a directory with -I DIR`,
    });
  }
  if (missing.length) throw new BpfscriptError(missing);
  program.includes.unshift(...added);
}
