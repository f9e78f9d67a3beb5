// watchpoint: one hardware-breakpoint perf event following the traced process (-p PID or the -c
// command, across its exec), sampling every hit. Without a process there is no address space to
// watch, so the probe is refused. watchpoint:FUNC+argN: see watchpoint-args.ts.

import { constants } from 'node:os';
import { BpfscriptError } from '../../common/diagnostics';
import { PerfType, perfEventOpen } from '../libbpf';
import type { WatchpointAttach } from '../../src/probes/watchpoint.attach';
import type { Attacher } from './types';
import { attachSetup, attachWatch } from './watchpoint-args';
import { hasBreakpoints, hasUprobes } from '../../common/kernel/features';
import { watching } from '../watched';
import { noUprobes } from './uprobe';

const { EINVAL, ENOSPC, ENODEV, ENOENT, EOPNOTSUPP } = constants.errno;

export const watchpoint: Attacher<WatchpointAttach> = {
  provider: 'watchpoint',
  unavailable: (probe) =>
    probe?.attach.role === 'setup' && !hasUprobes()
      ? noUprobes
      : hasBreakpoints()
      ? undefined
      : {
          missing: 'this kernel has no hardware breakpoint support (CONFIG_HAVE_HW_BREAKPOINT is off: no "breakpoint" perf event source)',
          instead: 'trace the function that writes the value with a uprobe instead',
        },
  deferred: (probe) => probe.attach.role === 'watch',
  attach(prog, probe, session) {
    const a = probe.attach;
    if (a.role === 'setup') return attachSetup(prog, probe, a, session);
    if (a.role === 'watch') return attachWatch(prog, probe, a, session);
    if (session.pid === undefined || session.pid < 0) {
      throw new BpfscriptError({
        severity: 'ERROR',
        message: `cannot attach ${probe.name}: a watchpoint watches one process's memory`,
        hint: 'give the process with -p PID, or start it with -c CMD',
      });
    }
    const addr = BigInt(a.addr);
    const fd = perfEventOpen({
      type: PerfType.BREAKPOINT,
      config: 0,
      cpu: -1,
      pid: session.pid,
      samplePeriod: 1,
      // An execution breakpoint (HW_BREAKPOINT_X, 4) is one instruction: the kernel wants the
      // length of a long there, whatever length the script gives (bpftrace sets it so too).
      breakpoint: { type: a.bpType, addr, len: a.bpType === 4 ? 8 : a.len },
    });
    const link = prog.attachPerfEvent(fd);
    watching(addr, link);
    return [link];
  },
  explain(errno) {
    if (errno === ENOSPC) return 'every debug register is in use (x86 has four): remove another watchpoint or debugger breakpoint';
    if (errno === EINVAL) return 'the hardware refuses this watchpoint: the address must be aligned to the length, and x86 cannot watch reads alone (use rw)';
    if (errno === ENODEV || errno === ENOENT || errno === EOPNOTSUPP) return 'this machine has no usable hardware breakpoints (as in some VMs)';
    if (errno === constants.errno.ESRCH) return 'the process given with -p has exited';
    return undefined;
  },
};
