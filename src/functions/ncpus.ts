// ncpus (bpftrace 0.24+): the number of possible CPUs, as per-CPU maps count them. The runtime
// writes it into the program's read-only configuration before load, so the verifier sees a
// constant and a compiled program run on another machine reads that machine's count.

import { u64 } from '../../common/types';
import type { BuiltinDef } from './types';

export const ncpus: BuiltinDef = {
  examples: [{ script: 'BEGIN { printf("%d\\n", ncpus > 0); exit(); }', output: '1\n\n\n' }],
  name: 'ncpus',
  check: () => u64,
  emit: (ctx) => ({ type: u64, v: ctx.config('ncpus') }),
};
