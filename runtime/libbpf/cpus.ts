// The possible-CPU count as libbpf computes it, which per-CPU map values are sized with (the
// sysfs CPU lists themselves are read in common/kernel/cpus.ts).

import { ffi } from './ffi';
import { checkRet } from './errors';

let possible: number | undefined;

/** libbpf_num_possible_cpus(): the count per-CPU map values are sized with. */
export function numPossibleCpus(): number {
  return (possible ??= checkRet(ffi().libbpf.libbpf_num_possible_cpus(), 'libbpf_num_possible_cpus'));
}
