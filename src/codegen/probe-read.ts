// The bpf_probe_read* helper for memory in an address space. User and kernel memory each have
// their own helper; an address of unknown origin gets the legacy helper, which picks by the
// address's range (what bpftrace 0.17 does for such addresses).

import type { AddrSpace } from '../../common/types';
import { BpfHelper } from '../../common/kernel/bpf-helpers';

/** bpf_probe_read(_user|_kernel): copies a fixed number of bytes. */
export function probeReadHelper(space: AddrSpace | undefined): number {
  return space === 'user' ? BpfHelper.PROBE_READ_USER : space === 'kernel' ? BpfHelper.PROBE_READ_KERNEL : BpfHelper.PROBE_READ;
}

/** bpf_probe_read(_user|_kernel)_str: copies up to a NUL, and always NUL-terminates. */
export function probeReadStrHelper(space: AddrSpace | undefined): number {
  return space === 'user' ? BpfHelper.PROBE_READ_USER_STR : space === 'kernel' ? BpfHelper.PROBE_READ_KERNEL_STR : BpfHelper.PROBE_READ_STR;
}
