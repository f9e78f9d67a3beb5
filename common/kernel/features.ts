// What this kernel can attach, so a missing mechanism is reported before anything is attached,
// naming what is missing and what to use instead. sysfs says which perf PMUs exist; what sysfs
// cannot say (whether tracing programs or kprobe_multi links are allowed) is asked of the kernel
// by loading an empty program through the host, once per host.

import { constants } from 'node:os';
import { FeatureProbeLoaderMissing, host, perHost } from './host';
import { textAddresses } from './kallsyms';

const PMU = '/sys/bus/event_source/devices';
const { EPERM, EOPNOTSUPP } = constants.errno;
/** The kernel-internal "not supported" (524), which node's errno table lacks. */
const ENOTSUPP = 524;

export const hasKprobes = (): boolean => host().exists(`${PMU}/kprobe`);
export const hasUprobes = (): boolean => host().exists(`${PMU}/uprobe`);
export const hasBreakpoints = (): boolean => host().exists(`${PMU}/breakpoint`);
export const hasHardwareCounters = (): boolean => host().exists(`${PMU}/cpu`) || host().exists(`${PMU}/armv8_pmuv3_0`);

/**
 * Whether the kernel refuses tracing programs outright (the errno), or null. A tracing program that
 * names no target is always invalid (EINVAL: "Tracing programs must provide btf_id"), but a kernel
 * that forbids the program type answers EPERM before it looks: that answer is the refusal.
 */
export function tracingRefused(): number | null {
  return perHost('features:tracing', () => {
    let errno: number | null;
    try {
      errno = host().loadFeatureProbe({ kind: 'tracing' });
    } catch (e) {
      // Only the kernel's answer is a refusal; a probe that could not be asked (libbpf unloadable)
      // is left for the real load to report. A driver that installed no loader is our bug.
      if (e instanceof FeatureProbeLoaderMissing) throw e;
      return null;
    }
    return errno === EPERM || errno === EOPNOTSUPP || errno === ENOTSUPP ? errno : null;
  });
}

/**
 * Whether a kprobe_multi link can be made here: load an empty kprobe program of that attach type
 * and link it to one function, as bpftrace 0.17 checks. Kernels without CONFIG_FPROBE load the
 * program but refuse the link (EOPNOTSUPP).
 */
export function hasKprobeMulti(): boolean {
  return perHost('features:kprobe-multi', () => {
    const address = textAddresses().get('ksys_read');
    if (!hasKprobes() || !address) return false;
    return host().loadFeatureProbe({ kind: 'kprobe-multi', address }) === null;
  });
}
