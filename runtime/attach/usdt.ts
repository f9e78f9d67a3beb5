// usdt: a uprobe at the note's file offset. Its semaphore, if it has one, is raised in the process
// given with -p (see usdt-semaphore.ts) and lowered again when the session ends.

import { hasUprobes } from './kernel-features';
import type { Attacher } from './types';
import { listedBinary, noUprobes } from './uprobe';
import { usdtNotes } from '../../src/elf/stapsdt';
import { addressInProcess, adjustSemaphore } from './usdt-semaphore';

export const usdt: Attacher = {
  provider: 'usdt',
  unavailable: () => (hasUprobes() ? undefined : noUprobes),
  attach(prog, probe, session) {
    const a = probe.attach;
    const binary = String(a.binary);
    const link = prog.attachUprobe({ pid: session.pid ?? -1, binary, offset: Number(a.offset) });
    const sem = Number(a.semaphoreOffset ?? 0);
    if (sem && session.pid !== undefined && session.pid >= 0) {
      const pid = session.pid;
      const addr = addressInProcess(pid, binary, sem);
      if (addr !== null && adjustSemaphore(pid, addr, 1)) session.onDetach?.(() => adjustSemaphore(pid, addr, -1));
    }
    return [link];
  },
  list(q) {
    const b = listedBinary(q, 'usdt');
    if (!b) return [];
    return usdtNotes(b.elf).map((n) => ({
      name: `usdt:${b.path}:${n.provider}:${n.name}`,
      key: `${q.parts[0]}:${n.provider}:${n.name}`,
      details: q.verbose ? n.args.trim().split(/\s+/).filter(Boolean).map((a, i) => `    arg${i}: ${a}`) : undefined,
    }));
  },
  explain: (errno) => (errno === 3 ? 'the process given with -p has exited' : undefined),
};
