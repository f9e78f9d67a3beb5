// Shared by the examples suites, on the host (test/examples.test.ts) and in the kernel lane
// (test/kernel/examples.kernel.ts): reading what an example printed, and running the examples
// that print every second until stopped.

import { spawn, spawnSync } from './child';
import { BIN, type RunResult } from './helpers';

/** The number of samples in the histogram under `heading` ("@usecs[comm]"), as bpftrace lays it out. */
export function histSamples(out: string, heading: string): number | undefined {
  const lines = out.split('\n');
  const at = lines.findIndex((l) => l === `${heading}: ` || l === `${heading}:`);
  if (at < 0) return undefined;
  let n = 0;
  for (const l of lines.slice(at + 1)) {
    const b = /^[[(][^\])]*[\])]\s+(\d+) \|/.exec(l);
    if (!b) break;
    n += Number(b[1]);
  }
  return n;
}

/** The numbers `re` captures (its first group) over every line it matches, added up. */
export function sumOf(out: string, re: RegExp): number {
  return out.split('\n').reduce((s, l) => s + Number(re.exec(l)?.[1] ?? 0), 0);
}

/** The time line interval examples print first in each table (time("%H:%M:%S\n")). */
export const TICK = '^\\d\\d:\\d\\d:\\d\\d$';

/**
 * Runs an example until stopped with SIGINT (Ctrl-C), with `workload` run while it is attached:
 * once a line matches `ready` (and `settleMs` later), and SIGINT once a line printed after the
 * workload matches `until` (right after the workload without it). For the examples that print a
 * table every second, both are the tick's time line: clear() happens in user space after the
 * print, so counts made while a tick is being printed could be cleared unseen, and a short
 * workload started just after a tick lands whole in the next table.
 */
export function runWhile(
  script: string,
  workload: string,
  opts: { ready: string; until?: string; settleMs?: number; timeoutMs?: number },
): Promise<RunResult & { workload: number | null }> {
  const ready = new RegExp(opts.ready, 'm');
  const until = opts.until === undefined ? null : new RegExp(opts.until, 'm');
  return new Promise((resolve) => {
    const p = spawn(process.execPath, [BIN, script], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let phase: 'ready' | 'until' | 'done' = 'ready';
    let after = -1;
    let workloadStatus: number | null = null;
    const timer = setTimeout(() => p.kill('SIGKILL'), opts.timeoutMs ?? 60_000);
    const stop = () => {
      phase = 'done';
      p.kill('SIGINT');
    };
    p.stdout.on('data', (d) => {
      stdout += d;
      if (phase === 'ready' && ready.test(stdout)) {
        phase = 'until';
        setTimeout(() => {
          workloadStatus = spawnSync('sh', ['-c', workload], { stdio: 'ignore' }).status;
          after = stdout.length;
          if (!until) stop();
        }, opts.settleMs ?? 200);
      } else if (phase === 'until' && until && after >= 0 && until.test(stdout.slice(after))) {
        stop();
      }
    });
    p.stderr.on('data', (d) => (stderr += d));
    p.on('close', (status) => {
      clearTimeout(timer);
      resolve({ stdout, stderr, status, workload: workloadStatus });
    });
  });
}
