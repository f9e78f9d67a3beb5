// Artifacts (`bpfscript build`, then `bpfscript run FILE`): `BEGIN { exit(); }` wall time and peak
// RSS, and time to attach the openat count one-liner, against a run served from the compile cache
// and against bpftrace. The artifact is run as `bpfscript run FILE`, the launcher and all, which is
// what its #! line does.

import { join } from 'node:path';
import { execFileSync } from '../../test/child';
import { median, fmt, ratio } from '../lib/stats';
import { runLive, timedRun, SCRATCH } from '../lib/run';
import { bpfscript, bpftrace, type Tool } from '../lib/tools';
import type { BenchConfig, Section } from '../lib/report';

const EXIT = 'BEGIN { exit(); }';
const COUNT = 'tracepoint:syscalls:sys_enter_openat { @[comm] = count(); }';

interface Variant {
  label: string;
  tool: Tool;
  args: string[];
}

function variants(script: string, name: string): Variant[] {
  const cache = { BPFSCRIPT_CACHE_DIR: join(SCRATCH, 'cache') };
  const tool = bpfscript(cache);
  const file = join(SCRATCH, name);
  execFileSync(tool.argv[0], ['build', '-e', script, '-o', file], { env: tool.env, timeout: 60_000 });
  return [
    { label: 'bpfscript artifact', tool, args: ['run', file] },
    { label: 'bpfscript (cached)', tool, args: ['-e', script] },
    { label: 'bpftrace', tool: bpftrace(), args: ['-e', script] },
  ];
}

export async function artifact(cfg: BenchConfig): Promise<Section> {
  const start = variants(EXIT, 'exit.bpfa');
  timedRun(start[1].tool, start[1].args); // fills the cache
  const live = variants(COUNT, 'count.bpfa');
  await runLive(live[1].tool, live[1].args, 1);
  const wall = start.map(() => [] as number[]);
  const rss = start.map(() => [] as number[]);
  const attach = live.map(() => [] as number[]);
  const attachRss = live.map(() => [] as number[]);
  for (let r = 0; r < cfg.reps * 2; r++) {
    // Interleaved, the order rotated each round, so drift on the shared machine hits all alike.
    for (let k = 0; k < start.length; k++) {
      const i = (k + r) % start.length;
      const res = timedRun(start[i].tool, start[i].args);
      if (res.status !== 0) throw new Error(`${start[i].label} failed: ${res.stderr}`);
      wall[i].push(res.wallMs);
      rss[i].push(res.rssKB);
      const l = await runLive(live[i].tool, live[i].args, 1);
      if (!Number.isFinite(l.liveMs)) throw new Error(`${live[i].label} never attached: ${l.stderr}`);
      attach[i].push(l.liveMs);
      attachRss[i].push(l.rssKB);
    }
  }
  const bt = start.length - 1;
  const w = wall.map(median);
  const m = rss.map(median);
  const a = attach.map(median);
  const am = attachRss.map(median);
  return {
    title: 'Artifacts: `bpfscript run FILE` against a cached run and bpftrace',
    method: `\`${EXIT}\`: spawn to exit and peak RSS (/usr/bin/time). \`${COUNT}\`: spawn until bpf_task_fd_query() shows the tracepoint attached, and peak RSS of that whole run. The artifacts are built once with \`bpfscript build\`; the cached runs use a warm compile cache. Median of ${cfg.reps * 2} interleaved runs each.`,
    columns: ['tool', 'exit wall ms', 'ratio', 'exit RSS MB', 'ratio', 'attach ms', 'ratio', 'attach RSS MB', 'ratio'],
    rows: start.map((v, i) => [v.label, fmt(w[i]), fmt(ratio(w[i], w[bt]), 2), fmt(m[i] / 1024), fmt(ratio(m[i], m[bt]), 2), fmt(a[i]), fmt(ratio(a[i], a[bt]), 2), fmt(am[i] / 1024), fmt(ratio(am[i], am[bt]), 2)]),
    targets: [
      { target: 'artifact `BEGIN { exit(); }` wall ≤ 0.3× bpftrace', value: fmt(ratio(w[0], w[bt]), 2), met: w[0] <= 0.3 * w[bt] },
      { target: 'artifact peak RSS ≤ 0.5× bpftrace', value: fmt(ratio(m[0], m[bt]), 2), met: m[0] <= 0.5 * m[bt] },
    ],
  };
}
