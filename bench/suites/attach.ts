// Time to attach: the openat count one-liner from spawn until the kernel shows its tracepoint with a
// program attached (both tools print "Attaching" before attaching, so the text alone would flatter
// them), then Ctrl-C. Peak RSS covers the whole run, map printing included.

import { join } from 'node:path';
import { median, fmt, ratio } from '../lib/stats';
import { runLive, SCRATCH } from '../lib/run';
import { bpfscript, bpftrace, type Tool } from '../lib/tools';
import type { BenchConfig, Section } from '../lib/report';

const SCRIPT = 'tracepoint:syscalls:sys_enter_openat { @[comm] = count(); }';

export async function attach(cfg: BenchConfig): Promise<Section> {
  const cache = { BPFSCRIPT_CACHE_DIR: join(SCRATCH, 'cache') };
  const variants: { label: string; tool: Tool; args: string[] }[] = [
    { label: 'bpfscript (cached)', tool: bpfscript(cache), args: ['-e', SCRIPT] },
    { label: 'bpfscript (no cache)', tool: bpfscript(cache), args: ['--no-cache', '-e', SCRIPT] },
    { label: 'bpftrace', tool: bpftrace(), args: ['-e', SCRIPT] },
  ];
  await runLive(variants[0].tool, variants[0].args, 1);
  const live = variants.map(() => [] as number[]);
  const rss = variants.map(() => [] as number[]);
  const cpu = variants.map(() => [] as number[]);
  for (let r = 0; r < cfg.reps * 2; r++) {
    for (let k = 0; k < variants.length; k++) {
      const i = (k + r) % variants.length;
      const res = await runLive(variants[i].tool, variants[i].args, 1);
      if (!Number.isFinite(res.liveMs)) throw new Error(`${variants[i].label} never attached: ${res.stderr}`);
      live[i].push(res.liveMs);
      rss[i].push(res.rssKB);
      cpu[i].push(res.cpuMs);
    }
  }
  const bt = variants.length - 1;
  const l = live.map(median);
  const m = rss.map(median);
  const c = cpu.map(median);
  return {
    title: 'Time to attach: `tracepoint:syscalls:sys_enter_openat { @[comm] = count(); }`',
    method: `Spawn until bpf_task_fd_query() shows the tracepoint attached in the tool's process (polled every 0.5 ms); peak RSS and user+system CPU of the whole run (attach, then SIGINT, maps, exit). Median of ${cfg.reps * 2} interleaved runs each.`,
    columns: ['tool', 'attach ms', 'ratio', 'peak RSS MB', 'ratio', 'CPU ms', 'ratio'],
    rows: variants.map((v, i) => [v.label, fmt(l[i]), fmt(ratio(l[i], l[bt]), 2), fmt(m[i] / 1024), fmt(ratio(m[i], m[bt]), 2), fmt(c[i]), fmt(ratio(c[i], c[bt]), 2)]),
    targets: [
      { target: 'time to attach ≤ 0.5× bpftrace (cached)', value: fmt(ratio(l[0], l[bt]), 2), met: l[0] <= 0.5 * l[bt] },
      { target: 'time to attach ≤ 0.5× bpftrace (no cache)', value: fmt(ratio(l[1], l[bt]), 2), met: l[1] <= 0.5 * l[bt] },
      { target: 'peak RSS ≤ 1.0× bpftrace (cached)', value: fmt(ratio(m[0], m[bt]), 2), met: m[0] <= m[bt] },
      { target: 'peak RSS ≤ 1.0× bpftrace (no cache)', value: fmt(ratio(m[1], m[bt]), 2), met: m[1] <= m[bt] },
    ],
  };
}
