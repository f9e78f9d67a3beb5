// The workload: ../shared/bench/storm.c, compiled at bench time into the scratch directory (never
// committed) as `bpfstorm`, so scripts can single it out by comm.

import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from './tools';
import { SCRATCH } from './run';

export const STORM_COMM = 'bpfstorm';
const SOURCE = join(ROOT, '..', 'shared', 'bench', 'storm.c');

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
