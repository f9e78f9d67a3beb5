// Turns a failed load into a diagnostic the user can act on: the verifier's own reason (the last
// lines of its log) rather than libbpf's generic errno text.

import { BpfscriptError } from '../src/diagnostics';
import type { LibbpfError } from './libbpf';

const TAIL_LINES = 12;

export function explainLoadFailure(e: LibbpfError, log: string): BpfscriptError {
  const lines = log.split('\n').filter((l) => l.trim() !== '');
  const tail = lines.slice(-TAIL_LINES).join('\n');
  if (e.errno === 1 /* EPERM */ && !tail) {
    return new BpfscriptError({
      severity: 'ERROR',
      message: `the kernel refused to load the BPF programs: ${e.message}`,
      hint: 'bpfscript needs root (CAP_BPF and CAP_PERFMON)',
    });
  }
  return new BpfscriptError({
    severity: 'ERROR',
    message: `the BPF verifier rejected the program: ${e.message}${tail ? `\n${tail}` : ''}`,
    hint: 'this is most likely a bpfscript bug; please report it with the script',
  });
}
