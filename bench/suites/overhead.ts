// Per-event overhead: ns added to each getppid() of the storm workload while a one-liner traces
// raw_syscalls:sys_enter (which fires on every syscall of every process). Each round measures the
// untraced baseline, then each tool, in rotating order; the overhead of a round is its traced
// ns/call minus that round's baseline, and the table shows medians. The figure is the storm's CPU
// time per call (../lib/cpu-storm.c): the BPF program runs inside the syscall and is charged to
// it, while the time the storm waits for a core that another job holds is not.

import { join } from 'node:path';
import { median, fmt, ratio } from '../lib/stats';
import { runLive, SCRATCH } from '../lib/run';
import { cpuStorm } from '../lib/storm';
import { floorTool } from '../lib/floor';
import { bpfscript, bpftrace, type Tool } from '../lib/tools';
import type { BenchConfig, Section } from '../lib/report';

const TP = 'tracepoint:raw_syscalls:sys_enter';

interface OneLiner {
  name: string;
  script: string;
  env?: NodeJS.ProcessEnv;
  /** The program of bench/floor/floor.bpf.c doing the same work by hand. */
  floor?: string;
}

/** The most bpfscript may cost over a one-liner's hand-written floor (issue 16). */
const FLOOR_LIMIT = 1.15;

export const HEADLINE: OneLiner = { name: 'count by comm', script: `${TP} { @[comm] = count(); }`, floor: 'count_comm' };

export const ONE_LINERS: OneLiner[] = [
  { name: 'count', script: `${TP} { @ = count(); }`, floor: 'count' },
  { name: 'sum', script: `${TP} { @[pid] = sum(args->id); }`, floor: 'sum' },
  { name: 'hist', script: `${TP} { @ = hist(args->id); }`, floor: 'hist' },
  { name: 'lhist', script: `${TP} { @ = lhist(args->id, 0, 500, 10); }` },
  { name: 'tuple keys', script: `${TP} { @[pid, args->id] = count(); }` },
  { name: 'str key', script: `${TP} { @[comm] = sum(args->id); }` },
  { name: 'predicate only', script: `${TP} /pid == 1/ { @ = count(); }`, floor: 'predicate' },
  { name: 'printf', script: `${TP} { printf("%d %d\\n", pid, args->id); }` },
];

/** The headline again with bpfscript's raw_tp rewrite off (src/semantic/lower-raw-tracepoints.ts): its effect, same run. No target. */
export const AS_TRACEPOINT: OneLiner = { name: 'count by comm, as tracepoint', script: HEADLINE.script, env: { BPFSCRIPT_RAW_TP: '0' } };

export async function overhead(cfg: BenchConfig): Promise<Section> {
  const n = cfg.quick ? 500_000 : 1_000_000;
  const cache = { BPFSCRIPT_CACHE_DIR: join(SCRATCH, 'cache') };
  // BENCH_ONE_LINERS=name,name: a working measurement of a few rows (more rounds in the same time),
  // titled apart so --update never puts it in place of the whole table.
  const pick = process.env.BENCH_ONE_LINERS?.split(',');
  const scripts: OneLiner[] = [HEADLINE, ...ONE_LINERS, AS_TRACEPOINT].filter((s) => !pick || pick.includes(s.name));
  const reps = cfg.quick ? cfg.reps : Number(process.env.BENCH_ROUNDS ?? 7);
  const rows: string[][] = [];
  const targets: Section['targets'] = [];
  let floorMissing: string | undefined;
  cpuStorm(n); // build and warm
  for (const [si, s] of scripts.entries()) {
    const runs: { tool: Tool; args: string[] }[] = [
      { tool: bpfscript({ ...cache, ...s.env }), args: ['-e', s.script] },
      { tool: bpftrace(), args: ['-e', s.script] },
    ];
    if (s.floor && s !== AS_TRACEPOINT) {
      const f = floorTool(s.floor);
      if ('missing' in f) floorMissing = f.missing;
      else runs.push(f);
    }
    const base: number[] = [];
    const baseWall: number[] = [];
    const added = runs.map(() => [] as number[]);
    const addedWall = runs.map(() => [] as number[]);
    for (let r = 0; r < reps; r++) {
      const { cpu: b, wall } = cpuStorm(n);
      base.push(b);
      baseWall.push(wall);
      // Interleaved: each round starts with another tool, and all share the round's baseline.
      for (let k = 0; k < runs.length; k++) {
        const i = (k + r) % runs.length;
        const { tool, args } = runs[i];
        let traced = { cpu: NaN, wall: NaN };
        const res = await runLive(tool, args, 1, () => (traced = cpuStorm(n)));
        if (!Number.isFinite(res.liveMs)) throw new Error(`${tool.name} never attached ${s.script}: ${res.stderr}`);
        added[i].push(traced.cpu - b);
        addedWall[i].push(traced.wall - wall);
      }
    }
    const [a, t, f] = added.map(median);
    const [aw, , fw] = addedWall.map(median);
    const q = ratio(a, t);
    const qf = f === undefined ? NaN : ratio(a, f);
    rows.push([s.name, `\`${s.script}\``, fmt(median(base)), fmt(median(baseWall)), fmt(a), fmt(t), f === undefined ? 'n/a' : fmt(f), fmt(q, 2), fmt(qf, 3), fw === undefined ? 'n/a' : fmt(ratio(aw, fw), 3)]);
    if (s === AS_TRACEPOINT) continue;
    const limit = si === 0 ? 0.5 : 1.0;
    targets.push({ target: `${s.name}: ≤ ${limit}× bpftrace`, value: fmt(q, 2), met: q <= limit });
    if (f !== undefined) targets.push({ target: `${s.name}: ≤ ${FLOOR_LIMIT}× floor`, value: fmt(qf, 3), met: qf <= FLOOR_LIMIT });
  }
  const floorNote = floorMissing
    ? ` Floor: ${floorMissing}.`
    : ' Floor: the same work written by hand in BPF C (bench/floor/floor.bpf.c, a raw tracepoint with per-CPU maps, built with clang in this run, loaded by a small libbpf program), run in the same rounds.';
  return {
    title: `Per-event overhead (ns added to each getppid())${pick ? `: ${pick.join(', ')} only` : ''}`,
    method: `storm ${n.toLocaleString('en')} getppid() calls; the storm's CPU time per call traced minus the same round's untraced baseline (CPU time: the BPF program runs inside the syscall and is charged to it, while time spent waiting for a core that other load holds is not; the untraced wall time is shown beside it, and the last column is the ratio to the floor in wall time, which load on the machine blurs); median of ${reps} rounds, the tools in rotating order within each round. printf output goes to a file. bpfscript runs a tracepoint probe as a raw tracepoint where the kernel offers one and the body's reads of \`args\` can be taken from the raw arguments (src/semantic/lower-raw-tracepoints.ts); the last row turns that off (BPFSCRIPT_RAW_TP=0).${floorNote}`,
    columns: ['one-liner', 'script', 'baseline CPU ns', 'baseline wall ns', 'bpfscript +ns', 'bpftrace +ns', 'floor +ns', '÷ bpftrace', '÷ floor', '÷ floor, wall time'],
    rows,
    targets,
  };
}
