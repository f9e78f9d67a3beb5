// The workload: ../shared/bench/storm.c, compiled at bench time into the scratch directory (never
// committed) as `bpfstorm`, so scripts can single it out by comm.

import { execFileSync } from '../../test/child';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from './tools';
import { SCRATCH } from './run';

export const STORM_COMM = 'bpfstorm';
/** BENCH_STORM_SOURCE names it where the checkout has no ../shared beside it (a git worktree). */
const SOURCE = process.env.BENCH_STORM_SOURCE ?? join(ROOT, '..', 'shared', 'bench', 'storm.c');

let built: string | undefined;

export function stormBinary(): string {
  if (built) return built;
  if (!existsSync(SOURCE)) throw new Error(`workload source not found: ${SOURCE}`);
  const out = join(SCRATCH, STORM_COMM);
  execFileSync('cc', ['-O2', '-static', '-o', out, SOURCE]);
  return (built = out);
}

/** Runs N getppid() calls; returns the mean ns per call as the program measured it. */
export function storm(n: number): number {
  const out = execFileSync(stormBinary(), [String(n)], { encoding: 'utf8' });
  const m = /([\d.]+) ns\/syscall/.exec(out);
  if (!m) throw new Error(`unexpected storm output: ${out}`);
  return Number(m[1]);
}

/**
 * `k` storms of `n` calls each, all started together (one per core is the most a machine can take).
 * Returns each one's mean ns per call; the slowest bounds the wall time of the whole storm.
 */
export function parallelStorm(k: number, n: number): number[] {
  const bin = stormBinary();
  const script = `for i in $(seq ${k}); do "$0" ${n} & done; wait`;
  const out = execFileSync('sh', ['-c', script, bin], { encoding: 'utf8' });
  const ns = [...out.matchAll(/([\d.]+) ns\/syscall/g)].map((m) => Number(m[1]));
  if (ns.length !== k) throw new Error(`unexpected storm output: ${out}`);
  return ns;
}

let cpuBuilt: string | undefined;

/**
 * N getppid() calls of ./cpu-storm.c (this tree's own, built into the scratch directory); returns
 * the mean ns per call as wall time and as the process's CPU time.
 */
export function cpuStorm(n: number): { wall: number; cpu: number } {
  if (!cpuBuilt) {
    const out = join(SCRATCH, 'bpfstorm-cpu');
    execFileSync('cc', ['-O2', '-static', '-o', out, join(ROOT, 'bench', 'lib', 'cpu-storm.c')]);
    cpuBuilt = out;
  }
  const out = execFileSync(cpuBuilt, [String(n)], { encoding: 'utf8' });
  const m = /([\d.]+) ns\/syscall wall ([\d.]+) ns\/syscall cpu/.exec(out);
  if (!m) throw new Error(`unexpected storm output: ${out}`);
  return { wall: Number(m[1]), cpu: Number(m[2]) };
}
