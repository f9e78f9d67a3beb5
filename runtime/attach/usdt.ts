// usdt: a uprobe at the note's file offset. Its semaphore, if it has one, is passed to the kernel
// as the uprobe's ref_ctr_offset: the kernel raises it in every process that maps the binary, now
// and later (system-wide, -c, -p alike), and lowers it on detach. A kernel that refuses ref_ctr
// (EINVAL: older than 4.20, or another tracer holding this probe without one) gets the probe
// without it, and with -p the semaphore is raised by hand (usdt-semaphore.ts).

import { constants } from 'node:os';
import { LibbpfError } from '../libbpf';
import { hasUprobes } from '../../common/kernel/features';
import type { UsdtAttach } from '../../src/probes/usdt.attach';
import type { Attacher } from './types';
import { noUprobes } from './uprobe';
import { namedObjects, processObjectsMatching } from '../list-user';
import { usdtNotes } from '../../common/kernel/stapsdt';
import { addressInProcess, adjustSemaphore } from './usdt-semaphore';

export const usdt: Attacher<UsdtAttach> = {
  provider: 'usdt',
  listedForProcess: true,
  lastAttachedRunsFirst: true,
  unavailable: () => (hasUprobes() ? undefined : noUprobes),
  attach(prog, probe, session) {
    const a = probe.attach;
    const { binary, semaphoreOffset: sem } = a;
    const base = { pid: session.pid ?? -1, binary, offset: a.offset };
    if (sem) {
      try {
        return [prog.attachUprobe({ ...base, refCtrOffset: sem })];
      } catch (e) {
        if (!(e instanceof LibbpfError && e.errno === constants.errno.EINVAL)) throw e;
      }
    }
    const link = prog.attachUprobe(base);
    if (sem && session.pid !== undefined && session.pid >= 0) {
      const pid = session.pid;
      const addr = addressInProcess(pid, binary, sem);
      if (addr !== null && adjustSemaphore(pid, addr, 1)) session.onDetach?.(() => adjustSemaphore(pid, addr, -1));
    }
    return [link];
  },
  list(q) {
    // The pattern's parts are BINARY, BINARY:NAME or BINARY:PROVIDER:NAME; with -p, NAME alone
    // too. The key has the same parts, a matched binary standing in as typed so its glob matches.
    const objects = q.pid !== undefined ? processObjectsMatching(q, q.pid, 'usdt') : namedObjects(q, 'usdt');
    const n = q.parts.length;
    const key = (provider: string, name: string) =>
      n >= 3 ? `${q.parts[0]}:${provider}:${name}` : n === 2 ? `${q.parts[0]}:${name}` : q.pid !== undefined ? name : q.parts[0];
    return objects.flatMap((b) =>
      usdtNotes(b.elf).map((note) => ({
        name: `usdt:${b.path}:${note.provider}:${note.name}`,
        key: key(note.provider, note.name),
        details: q.verbose ? note.args.trim().split(/\s+/).filter(Boolean).map((a, i) => `    arg${i}: ${a}`) : undefined,
      })),
    );
  },
  explain: (errno) => (errno === 3 ? 'the process given with -p has exited' : undefined),
};
