// watchpoint:FUNC+argN and asyncwatchpoint (src/probes/watchpoint-args.ts): the setup program is a
// uprobe on FUNC in the traced process; each address it reports gets a hardware breakpoint running
// the body's program, as bpftrace 0.17 does: one per new address (a repeated address is ignored,
// earlier breakpoints stay), "out of watchpoint registers" when the debug registers are used up.
// The synchronous form's process, stopped by the uprobe, is continued once the breakpoint is set.

import { constants } from 'node:os';
import { BpfscriptError } from '../../common/diagnostics';
import type { ProbeMeta } from '../../src/compiled';
import { SETUP_EVENT_BASE } from '../../src/compiled';
import { processState } from '../../common/kernel/proc-stat';
import type { WatchpointAttach } from '../../src/probes/watchpoint.attach';
import { LibbpfError, PerfType, perfEventOpen, type BpfLink, type BpfProgram } from '../libbpf';
import { writeAll } from '../output';
import { watching } from '../watched';
import type { AttachSession } from './types';

const { ENOSPC, ESRCH } = constants.errno;

type Watch = Extract<WatchpointAttach, { role: 'watch' }>;
type Setup = Extract<WatchpointAttach, { role: 'setup' }>;

/** Body programs waiting for an address, by slot; set when their probe is attached. */
const bodies = new Map<number, { prog: BpfProgram; probe: ProbeMeta; watch: Watch }>();

function targetPid(probe: ProbeMeta, session: AttachSession): number {
  if (session.pid === undefined || session.pid < 0) {
    throw new BpfscriptError({ severity: 'ERROR', message: `cannot attach ${probe.name}: a watchpoint watches one process's memory`, hint: 'give the process with -p PID, or start it with -c CMD' });
  }
  return session.pid;
}

function stopped(pid: number): boolean {
  return processState(pid) === 'T';
}

function resume(pid: number): void {
  try {
    process.kill(pid, 'SIGCONT');
  } catch {
    // it has exited
  }
}

/** The body's program: attached later, once per address the setup program reports. */
export function attachWatch(prog: BpfProgram, probe: ProbeMeta, watch: Watch, session: AttachSession): BpfLink[] {
  targetPid(probe, session);
  const slot = watch.slot;
  bodies.set(slot, { prog, probe, watch });
  session.onDetach?.(() => bodies.delete(slot));
  return [];
}

export function attachSetup(prog: BpfProgram, probe: ProbeMeta, a: Setup, session: AttachSession): BpfLink[] {
  const pid = targetPid(probe, session);
  const slot = a.slot;
  const sync = !a.async;
  const links: BpfLink[] = [];
  // bpftrace remembers the last address even when attaching failed: it is not retried.
  let last: bigint | undefined;
  // Records drained after detaching (before END) set no more breakpoints.
  let detached = false;
  session.onRecord?.(SETUP_EVENT_BASE + slot, (view, off, _len, rt) => {
    const addr = view.getBigUint64(off + 8, true);
    const body = bodies.get(slot);
    try {
      if (addr === last || !body || detached) return;
      last = addr;
      const { len, bpType } = body.watch;
      const fd = perfEventOpen({ type: PerfType.BREAKPOINT, config: 0, cpu: -1, pid, samplePeriod: 1, breakpoint: { type: bpType, addr, len } });
      const link = body.prog.attachPerfEvent(fd);
      links.push(link);
      watching(addr, link);
    } catch (e) {
      if (!(e instanceof LibbpfError)) throw e;
      if (e.errno === ENOSPC) {
        rt.output.message('lost_events', 'Failed to attach watchpoint probe. You are out of watchpoint registers.', true);
      } else if (e.errno !== ESRCH) {
        const hint = e.errno === constants.errno.EINVAL ? `\nHINT: the address must be aligned to the length (${body?.watch.len} bytes), and x86 cannot watch reads alone (use rw)` : '';
        rt.output.flush();
        writeAll(2, `ERROR: cannot watch 0x${addr.toString(16)} for ${body?.probe.name}: ${e.message}${hint}\n`);
        rt.requestExit();
      }
    } finally {
      if (sync) resume(pid);
    }
  });
  const uprobe = prog.attachUprobe({ pid, binary: a.binary, offset: a.offset });
  session.onDetach?.(() => {
    detached = true;
    // The uprobe goes first so it cannot stop the process again once it is continued.
    uprobe.destroy();
    for (const l of links.splice(0)) l.destroy();
    if (sync && stopped(pid)) resume(pid);
  });
  return [uprobe];
}
