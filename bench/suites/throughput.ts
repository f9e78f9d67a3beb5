// printf event throughput: one event per getppid() of the storm, printed to a file. Events
// delivered are the lines the tool wrote; events/s divides them by the storm's own duration.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { median, fmt, ratio } from '../lib/stats';
import { lostEvents, runLive, SCRATCH } from '../lib/run';
import { cpus } from 'node:os';
import { parallelStorm, storm, STORM_COMM } from '../lib/storm';
import { bpfscript, bpftrace } from '../lib/tools';
import type { BenchConfig, Section } from '../lib/report';

const SCRIPT = `tracepoint:raw_syscalls:sys_enter /comm == "${STORM_COMM}"/ { printf("%d %d\\n", pid, args->id); }`;

export async function throughput(cfg: BenchConfig): Promise<Section> {
  const n = cfg.quick ? 500_000 : 2_000_000;
  const cache = { BPFSCRIPT_CACHE_DIR: join(SCRATCH, 'cache') };
  const tools = [bpfscript(cache), bpftrace()];
  const rate = tools.map(() => [] as number[]);
  const lost = tools.map(() => [] as number[]);
  const nsPerCall = tools.map(() => [] as number[]);
  for (let r = 0; r < cfg.reps; r++) {
    for (let k = 0; k < tools.length; k++) {
      const i = (k + r) % tools.length;
      let ns = NaN;
      const res = await runLive(tools[i], ['-e', SCRIPT], 1, () => (ns = storm(n)));
      const out = readFileSync(res.stdoutFile, 'latin1');
      // Events of the storm's getppid() (syscall 110 on x86-64) only: its exit and write calls also print.
      const delivered = out.split('\n').filter((l) => l.endsWith(' 110')).length;
      rate[i].push(delivered / ((ns * n) / 1e9));
      lost[i].push(lostEvents(out + res.stderr) + Math.max(0, n - delivered - lostEvents(out + res.stderr)));
      nsPerCall[i].push(ns);
    }
  }
  // One storm is one producer thread: its own traced-call cost caps the event rate, whatever the
  // reader does. One storm per core shows what the reader keeps up with when producers are not the
  // bound, on a machine where the reader must share those cores with them.
  const k = cpus().length;
  const par = { rate: [] as number[], lost: [] as number[] };
  for (let r = 0; r < cfg.reps; r++) {
    let ns: number[] = [];
    const res = await runLive(tools[0], ['-e', SCRIPT], 1, () => (ns = parallelStorm(k, n / k)));
    const out = readFileSync(res.stdoutFile, 'latin1');
    const delivered = out.split('\n').filter((l) => l.endsWith(' 110')).length;
    par.rate.push(delivered / ((Math.max(...ns) * (n / k)) / 1e9));
    par.lost.push(n - delivered);
  }
  const [rp, lp] = [median(par.rate), median(par.lost)];
  const [rs, rt] = rate.map(median);
  const [ls, lt] = lost.map(median);
  const [cs, ct] = nsPerCall.map(median);
  return {
    title: 'printf event throughput',
    method: `\`${SCRIPT}\` under storm ${n.toLocaleString('en')}, stdout to a file. Delivered = getppid lines written; lost = events not written (the tools' own "Lost" counts agree where they report them). Median of ${cfg.reps} interleaved rounds. One storm is one producer thread, so its rate is capped by its own traced-call cost; the last row runs one storm per core (${k}) at once, the reader then sharing those cores with the producers; lost there = calls not printed.`,
    columns: ['tool', 'events/s', 'lost', 'traced getppid() ns'],
    rows: [
      ['bpfscript', fmt(rs), fmt(ls), fmt(cs)],
      ['bpftrace', fmt(rt), fmt(lt), fmt(ct)],
      ['ratio', fmt(ratio(rs, rt), 2), '', fmt(ratio(cs, ct), 2)],
      [`bpfscript, ${k} storms at once (${(n / k).toLocaleString('en')} calls each)`, fmt(rp), fmt(lp), ''],
    ],
    targets: [
      { target: '≥ 3M events/s with 0 lost', value: `${fmt(rs)}/s, ${fmt(ls)} lost (${k} storms: ${fmt(rp)}/s, ${fmt(lp)} lost)`, met: (rs >= 3e6 && ls === 0) || (rp >= 3e6 && lp === 0) },
      { target: '≥ bpftrace events/s', value: fmt(ratio(rs, rt), 2), met: rs >= rt },
    ],
  };
}
