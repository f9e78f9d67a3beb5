// Idle cost: a tracer whose probe never fires should cost nothing while it waits. Measured from the
// kernel's own accounting of every thread of the tool's process: CPU time on core and context
// switches (each one a wakeup), over a window that starts a second after the probe is live.

import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { median, fmt, ratio } from '../lib/stats';
import { runLive, SCRATCH } from '../lib/run';
import { sleepMs } from '../lib/live';
import { bpfscript, bpftrace } from '../lib/tools';
import type { BenchConfig, Section } from '../lib/report';

// acct(2) turns process accounting on or off: nothing calls it on this machine.
const NEVER = 'tracepoint:syscalls:sys_enter_acct';
const SCRIPTS = [
  { label: 'printf (an event path)', script: `${NEVER} { printf("x\\n"); }` },
  { label: 'map only (no event path)', script: `${NEVER} { @n = count(); }` },
];
const SETTLE_MS = 1000;

interface Usage {
  cpuNs: number;
  switches: number;
}

/** CPU time (schedstat: ns on core) and voluntary + involuntary context switches, all threads. */
export function usage(pid: number): Usage {
  let cpuNs = 0;
  let switches = 0;
  for (const t of readdirSync(`/proc/${pid}/task`)) {
    try {
      cpuNs += Number(readFileSync(`/proc/${pid}/task/${t}/schedstat`, 'utf8').split(' ')[0]);
      for (const m of readFileSync(`/proc/${pid}/task/${t}/status`, 'utf8').matchAll(/ctxt_switches:\s+(\d+)/g)) switches += Number(m[1]);
    } catch {
      // a thread that ended meanwhile
    }
  }
  return { cpuNs, switches };
}

export async function idle(cfg: BenchConfig): Promise<Section> {
  const windowMs = cfg.quick ? 3000 : 5000;
  const rounds = cfg.quick ? 1 : 3;
  const tools = [bpfscript({ BPFSCRIPT_CACHE_DIR: join(SCRATCH, 'cache') }), bpftrace()];
  // [script][tool] → samples
  const cpu = SCRIPTS.map(() => tools.map(() => [] as number[]));
  const wakeups = SCRIPTS.map(() => tools.map(() => [] as number[]));
  for (let r = 0; r < rounds; r++) {
    for (let s = 0; s < SCRIPTS.length; s++) {
      for (let k = 0; k < tools.length; k++) {
        const i = (k + r) % tools.length;
        const res = await runLive(tools[i], ['-e', SCRIPTS[s].script], 1, (pid) => {
          sleepMs(SETTLE_MS);
          const a = usage(pid);
          sleepMs(windowMs);
          const b = usage(pid);
          cpu[s][i].push(((b.cpuNs - a.cpuNs) / (windowMs * 1e6)) * 100);
          wakeups[s][i].push(((b.switches - a.switches) * 1000) / windowMs);
        });
        if (!Number.isFinite(res.liveMs)) throw new Error(`${tools[i].name} never attached: ${res.stderr}`);
      }
    }
  }
  const rows: string[][] = [];
  const targets: Section['targets'] = [];
  SCRIPTS.forEach((sc, s) => {
    const [cs, ct] = cpu[s].map(median);
    const [ws, wt] = wakeups[s].map(median);
    rows.push([sc.label, 'bpfscript', fmt(cs, 2), fmt(ws, 2)], [sc.label, 'bpftrace', fmt(ct, 2), fmt(wt, 2)]);
    targets.push(
      { target: `idle CPU ≤ bpftrace's, ${sc.label}`, value: `${fmt(cs, 2)}% vs ${fmt(ct, 2)}%`, met: cs <= ct },
      { target: `idle wakeups/s ≤ bpftrace's, ${sc.label}`, value: `${fmt(ws, 2)} vs ${fmt(wt, 2)} (ratio ${fmt(ratio(ws, wt), 2)})`, met: ws <= wt },
    );
  });
  return {
    title: 'Idle cost: a probe that never fires',
    method: `\`${NEVER}\` with a printf body and with a map-only body; ${fmt(SETTLE_MS / 1000)} s after the probe is live, CPU time on core (/proc/PID/task/*/schedstat) and context switches, voluntary + involuntary (/proc/PID/task/*/status), of all the tool's threads over ${windowMs / 1000} s. Median of ${rounds} interleaved rounds.`,
    columns: ['script', 'tool', 'CPU % of a core', 'wakeups/s'],
    rows,
    targets,
  };
}
