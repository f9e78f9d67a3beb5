// The Debian/Ubuntu packages that hold what bpfscript loads at run time, so a missing library ends
// the run with the exact line that installs it (npm does not bring system libraries). README's
// first commands and the test prerequisites (test/prerequisites.ts) name the same packages.

import { BpfscriptError } from './diagnostics';

/** libLLVM-N.so.1 for any N from 14 on works; 14 is in Debian 12 and Ubuntu 22.04 and 24.04. */
export const LLVM_PACKAGE = 'libllvm14';
/** libbpf.so.1 (the 1.x ABI). */
export const LIBBPF_PACKAGE = 'libbpf1';

export function aptInstall(packages: readonly string[]): string {
  return `apt-get install -y ${packages.join(' ')}`;
}

/** One line, no hint: what could not be loaded, why, and the command that fixes it. */
export function libraryMissing(library: string, why: string, pkg: string): BpfscriptError {
  return new BpfscriptError({ severity: 'ERROR', message: `cannot load ${library} (${why}): install it with \`${aptInstall([pkg])}\`` });
}
