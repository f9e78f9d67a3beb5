// libLLVM, loaded on first use with its fatal-error handler installed, and its message strings.

import { writeSync } from 'node:fs';
import { llvmRaw, type RawLLVM } from './ffi';

let L: RawLLVM;
export function lib(): RawLLVM {
  if (!L) {
    L = llvmRaw();
    installFatalHandler(L);
  }
  return L;
}

/** Known causes of LLVM's fatal errors, and what the user can do about each. */
const FATAL_HINTS: [RegExp, string][] = [
  [/Branch target out of insn range/, 'a probe is too long for BPF jumps (at most 32,767 instructions apart): split its statements over several probes'],
];

/**
 * LLVM reports some backend failures with report_fatal_error, which prints its own text and aborts
 * the process. Control cannot come back to the compiler from there (LLVM aborts once the handler
 * returns), so the handler says once, in our format, what failed and ends the process with status
 * 1 itself; nothing is loaded in the kernel yet while we compile.
 */
function installFatalHandler(l: RawLLVM): void {
  const handler = l.koffi.register((reason: string) => {
    try {
      const hint = FATAL_HINTS.find(([re]) => re.test(reason))?.[1] ?? 'this is a bpfscript bug; please report it with the script that caused it';
      writeSync(2, `ERROR: LLVM could not compile the program: ${reason}\nHINT: ${hint}\n`);
    } catch {
      // never let an exception escape into C
    }
    process.exit(1);
  }, l.koffi.pointer('LLVMFatalErrorHandler'));
  l.LLVMInstallFatalErrorHandler(handler);
}

/** A message LLVM allocated, as a string; LLVM's copy is freed. */
export function takeMessage(p: bigint | null): string {
  if (!p) return '';
  const s = (lib().koffi.decode as unknown as { string(p: bigint): string }).string(p);
  lib().LLVMDisposeMessage(p);
  return s;
}
