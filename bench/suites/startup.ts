// Startup: `BEGIN { exit(); }` wall time and peak RSS. bpfscript is run three ways: with its compile
// cache warm (the common repeat run), compiling afresh with the default libLLVM, and with LLVM 14.

import { median, fmt, ratio } from '../lib/stats';
import { timedRun, SCRATCH } from '../lib/run';
import { bpfscript, bpftrace, type Tool } from '../lib/tools';
import type { BenchConfig, Section } from '../lib/report';
import { join } from 'node:path';

const SCRIPT = 'BEGIN { exit(); }';

export async function startup(cfg: BenchConfig): Promise<Section> {
  const cache = { BPFSCRIPT_CACHE_DIR: join(SCRATCH, 'cache') };
  const variants: { label: string; tool: Tool; args: string[] }[] = [
    { label: 'bpfscript (cached)', tool: bpfscript(cache), args: ['-e', SCRIPT] },
    { label: 'bpfscript (no cache, default LLVM)', tool: bpfscript(cache), args: ['--no-cache', '-e', SCRIPT] },
    { label: 'bpfscript (no cache, LLVM 14)', tool: bpfscript({ ...cache, BPFSCRIPT_LLVM: '14' }), args: ['--no-cache', '-e', SCRIPT] },
    { label: 'bpftrace', tool: bpftrace(), args: ['-e', SCRIPT] },
  ];
  timedRun(variants[0].tool, variants[0].args); // fills the cache
  const wall = variants.map(() => [] as number[]);
  const rss = variants.map(() => [] as number[]);
  const cpu = variants.map(() => [] as number[]);
  for (let r = 0; r < cfg.reps * 2; r++) {
    // Interleaved, and the order rotated each round, so drift on the shared machine hits all alike.
    for (let k = 0; k < variants.length; k++) {
      const i = (k + r) % variants.length;
      const res = timedRun(variants[i].tool, variants[i].args);
      if (res.status !== 0) throw new Error(`${variants[i].label} failed: ${res.stderr}`);
      wall[i].push(res.wallMs);
      rss[i].push(res.rssKB);
      cpu[i].push(res.cpuMs);
    }
  }
  const bt = variants.length - 1;
  const w = wall.map(median);
  const m = rss.map(median);
  const c = cpu.map(median);
  return {
    title: 'Startup: `BEGIN { exit(); }`',
    method: `Wall time from spawn to exit, peak RSS and user+system CPU (/usr/bin/time, CPU in 10 ms steps), median of ${cfg.reps * 2} interleaved runs each. bpfscript's start is CPU-bound while most of bpftrace's wall time is sleeping, so on a loaded machine the wall ratio grows with the load average; the CPU ratio does not.`,
    columns: ['tool', 'wall ms', 'ratio', 'peak RSS MB', 'ratio', 'CPU ms', 'ratio'],
    rows: variants.map((v, i) => [v.label, fmt(w[i]), fmt(ratio(w[i], w[bt]), 2), fmt(m[i] / 1024), fmt(ratio(m[i], m[bt]), 2), fmt(c[i]), fmt(ratio(c[i], c[bt]), 2)]),
    targets: [
      { target: 'startup ≤ 0.5× bpftrace (cached)', value: fmt(ratio(w[0], w[bt]), 2), met: w[0] <= 0.5 * w[bt] },
      { target: 'startup ≤ 0.5× bpftrace (no cache)', value: fmt(ratio(w[1], w[bt]), 2), met: w[1] <= 0.5 * w[bt] },
      { target: 'peak RSS ≤ 1.0× bpftrace (cached)', value: fmt(ratio(m[0], m[bt]), 2), met: m[0] <= m[bt] },
      { target: 'peak RSS ≤ 1.0× bpftrace (no cache)', value: fmt(ratio(m[1], m[bt]), 2), met: m[1] <= m[bt] },
    ],
  };
}
