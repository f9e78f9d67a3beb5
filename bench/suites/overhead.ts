// Per-event overhead: ns added to each getppid() of the storm workload while a one-liner traces
// raw_syscalls:sys_enter (which fires on every syscall of every process). Each round measures the
// untraced baseline, then each tool, in rotating order; the overhead of a round is its traced
// ns/call minus that round's baseline, and the table shows medians.

import { join } from 'node:path';
import { median, fmt, ratio } from '../lib/stats';
import { runLive, SCRATCH } from '../lib/run';
import { storm } from '../lib/storm';
import { bpfscript, bpftrace } from '../lib/tools';
import type { BenchConfig, Section } from '../lib/report';

const TP = 'tracepoint:raw_syscalls:sys_enter';

export const HEADLINE = { name: 'count by comm', script: `${TP} { @[comm] = count(); }` };

export const ONE_LINERS = [
  { name: 'count', script: `${TP} { @ = count(); }` },
  { name: 'sum', script: `${TP} { @[pid] = sum(args->id); }` },
  { name: 'hist', script: `${TP} { @ = hist(args->id); }` },
  { name: 'lhist', script: `${TP} { @ = lhist(args->id, 0, 500, 10); }` },
  { name: 'tuple keys', script: `${TP} { @[pid, args->id] = count(); }` },
  { name: 'str key', script: `${TP} { @[comm] = sum(args->id); }` },
  { name: 'predicate only', script: `${TP} /pid == 1/ { @ = count(); }` },
  { name: 'printf', script: `${TP} { printf("%d %d\\n", pid, args->id); }` },
];

/** The headline again with bpfscript's raw_tp rewrite off (src/semantic/lower-raw-tracepoints.ts): its effect, same run. No target. */
export const AS_TRACEPOINT = { name: 'count by comm, as tracepoint', script: HEADLINE.script, env: { BPFSCRIPT_RAW_TP: '0' } };

export async function overhead(cfg: BenchConfig): Promise<Section> {
  const n = cfg.quick ? 500_000 : 1_000_000;
  const cache = { BPFSCRIPT_CACHE_DIR: join(SCRATCH, 'cache') };
  const scripts: { name: string; script: string; env?: NodeJS.ProcessEnv }[] = [HEADLINE, ...ONE_LINERS, AS_TRACEPOINT];
  const rows: string[][] = [];
  const targets: Section['targets'] = [];
  storm(n); // build and warm
  for (const [si, s] of scripts.entries()) {
    const tools = [bpfscript({ ...cache, ...s.env }), bpftrace()];
    const base: number[] = [];
    const added = tools.map(() => [] as number[]);
    for (let r = 0; r < cfg.reps; r++) {
      const b = storm(n);
      base.push(b);
      for (let k = 0; k < tools.length; k++) {
        const i = (k + r) % tools.length;
        let traced = NaN;
        const res = await runLive(tools[i], ['-e', s.script], 1, () => (traced = storm(n)));
        if (!Number.isFinite(res.liveMs)) throw new Error(`${tools[i].name} never attached ${s.script}: ${res.stderr}`);
        added[i].push(traced - b);
      }
    }
    const [a, t] = added.map(median);
    const q = ratio(a, t);
    rows.push([s.name, `\`${s.script}\``, fmt(median(base)), fmt(a), fmt(t), fmt(q, 2)]);
    if (s === AS_TRACEPOINT) continue;
    const limit = si === 0 ? 0.5 : 1.0;
    targets.push({ target: `${s.name}: ≤ ${limit}× bpftrace`, value: fmt(q, 2), met: q <= limit });
  }
  return {
    title: 'Per-event overhead (ns added to each getppid())',
    method: `storm ${n.toLocaleString('en')} getppid() calls; ns/call traced minus the same round's untraced baseline; median of ${cfg.reps} rounds. printf output goes to a file. bpfscript runs a tracepoint probe that never reads \`args\` as a raw tracepoint (count by comm, count, predicate only); the last row turns that off (BPFSCRIPT_RAW_TP=0).`,
    columns: ['one-liner', 'script', 'baseline ns', 'bpfscript +ns', 'bpftrace +ns', 'ratio'],
    rows,
    targets,
  };
}
