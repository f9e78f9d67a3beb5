// watchpoint: one hardware-breakpoint perf event following the traced process (-p PID or the -c
// command, across its exec), sampling every hit. Without a process there is no address space to
// watch, so the probe is refused. watchpoint:FUNC+argN: see watchpoint-args.ts.

import { existsSync } from 'node:fs';
import { constants } from 'node:os';
import { BpfscriptError } from '../../src/diagnostics';
import { PerfType, perfEventOpen } from '../libbpf';
import type { Attacher } from './types';
import { attachSetup, attachWatch } from './watchpoint-args';
import { hasUprobes } from './kernel-features';
import { watching } from '../watched';
import { noUprobes } from './uprobe';

const { EINVAL, ENOSPC, ENODEV, ENOENT, EOPNOTSUPP } = constants.errno;

export const watchpoint: Attacher = {
  provider: 'watchpoint',
  unavailable: (probe) =>
    probe?.attach.role === 'setup' && !hasUprobes()
      ? noUprobes
      : existsSync('/sys/bus/event_source/devices/breakpoint')
      ? undefined
      : {
          missing: 'this kernel has no hardware breakpoint support (CONFIG_HAVE_HW_BREAKPOINT is off: no "breakpoint" perf event source)',
          instead: 'trace the function that writes the value with a uprobe instead',
        },
  attach(prog, probe, session) {
    if (probe.attach.role === 'setup') return attachSetup(prog, probe, session);
    if (probe.attach.role === 'watch') return attachWatch(prog, probe, session);
    if (session.pid === undefined || session.pid < 0) {
      throw new BpfscriptError({
        severity: 'ERROR',
        message: `cannot attach ${probe.name}: a watchpoint watches one process's memory`,
        hint: 'give the process with -p PID, or start it with -c CMD',
      });
    }
    const a = probe.attach;
    const addr = BigInt(String(a.addr));
    const fd = perfEventOpen({
      type: PerfType.BREAKPOINT,
      config: 0,
      cpu: -1,
      pid: session.pid,
      samplePeriod: 1,
      breakpoint: { type: Number(a.bpType), addr, len: Number(a.len) },
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
