// Running a tool the same way for both: under /usr/bin/time for peak RSS, output to files (never a
// pipe the harness must drain while it measures), wall time taken around the child by the harness.

import { spawn, spawnSync } from '../../test/child';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { attachedTracepoints, childOf, sleepMs } from './live';
import type { Tool } from './tools';

/**
 * This run's own directory (0700, unpredictable name): the bench runs as root, and a fixed path in
 * /tmp would let another user plant the compile cache or the files it writes there.
 */
export const SCRATCH = mkdtempSync(join(tmpdir(), 'bpfscript-bench-'));
process.on('exit', () => rmSync(SCRATCH, { recursive: true, force: true }));

export interface Timed {
  wallMs: number;
  rssKB: number;
  /** User + system CPU of the tool (10 ms resolution): unlike wall time, barely moved by other load. */
  cpuMs: number;
  status: number | null;
  stdout: string;
  stderr: string;
}

const now = () => Number(process.hrtime.bigint()) / 1e6;

function timeArgv(tool: Tool, args: string[], rssFile: string): string[] {
  return ['/usr/bin/time', '-f', '%M %U %S', '-o', rssFile, ...tool.argv, ...args];
}

/** Peak RSS (KB) and CPU (ms) from /usr/bin/time's last line (earlier ones report a signal). */
function readUsage(file: string): { rssKB: number; cpuMs: number } {
  const lines = readFileSync(file, 'utf8').trim().split('\n');
  const [rss, user, sys] = lines[lines.length - 1].split(' ').map(Number);
  return { rssKB: rss, cpuMs: (user + sys) * 1000 };
}

/** Runs to completion. */
export function timedRun(tool: Tool, args: string[]): Timed {
  const rssFile = join(SCRATCH, 'rss');
  const [cmd, ...rest] = timeArgv(tool, args, rssFile);
  const t0 = now();
  const r = spawnSync(cmd, rest, { env: tool.env, encoding: 'utf8', maxBuffer: 1 << 30, timeout: 300_000 });
  const wallMs = now() - t0;
  return { wallMs, ...readUsage(rssFile), status: r.status, stdout: r.stdout, stderr: r.stderr };
}

export interface LiveRun {
  /** From spawn until the kernel shows `expected` tracepoints attached for the tool. */
  liveMs: number;
  /** From SIGINT until the tool exited (END, map printing, detach). */
  exitMs: number;
  rssKB: number;
  cpuMs: number;
  status: number | null;
  stdoutFile: string;
  stderr: string;
}

/**
 * Starts the tool, waits until its probes are live, runs `during` (given the tool's pid), stops it with SIGINT as a user's
 * Ctrl-C would, and waits for it to exit.
 */
export async function runLive(tool: Tool, args: string[], expected: number, during: (pid: number) => void = () => {}): Promise<LiveRun> {
  const rssFile = join(SCRATCH, 'rss');
  const stdoutFile = join(SCRATCH, `${tool.name}.out`);
  const stderrFile = join(SCRATCH, `${tool.name}.err`);
  const outFd = openSync(stdoutFile, 'w');
  const errFd = openSync(stderrFile, 'w');
  const [cmd, ...rest] = timeArgv(tool, args, rssFile);
  const t0 = now();
  // Its own process group: /usr/bin/time is the child and the tool a grandchild, which a timeout
  // (killing only the child) would leave tracing on the machine.
  const p = spawn(cmd, rest, { env: tool.env, stdio: ['ignore', outFd, errFd], timeout: 300_000, detached: true });
  closeSync(outFd);
  closeSync(errFd);
  const exited = new Promise<number | null>((resolve) => p.on('exit', (code) => resolve(code)));
  let done = false;
  exited.then(() => (done = true));

  let pid: number | undefined;
  let liveMs = NaN;
  const deadline = t0 + 60_000;
  while (now() < deadline) {
    pid ??= childOf(p.pid!);
    if (pid !== undefined && attachedTracepoints(pid) >= expected) {
      liveMs = now() - t0;
      break;
    }
    // The exit event cannot be delivered while this loop runs; a dead child shows as no /proc entry.
    if (pid !== undefined && !existsProc(pid)) break;
    sleepMs(0.5);
  }
  try {
    if (Number.isFinite(liveMs)) during(pid!);
  } catch (e) {
    // A failed workload must not leave the tool tracing (and counting the next run's events).
    if (pid !== undefined) process.kill(pid, 'SIGKILL');
    throw e;
  }
  const t1 = now();
  try {
    // Not live in time and not found: the whole group gets the Ctrl-C.
    process.kill(pid ?? -p.pid!, 'SIGINT');
  } catch {
    // Already gone.
  }
  const status = await exited;
  try {
    process.kill(-p.pid!, 'SIGKILL');
  } catch {
    // The group is empty: nothing outlived /usr/bin/time.
  }
  const exitMs = now() - t1;
  void done;
  return { liveMs, exitMs, ...readUsage(rssFile), status, stdoutFile, stderr: readFileSync(stderrFile, 'utf8') };
}

function existsProc(pid: number): boolean {
  try {
    readFileSync(`/proc/${pid}/stat`);
    return true;
  } catch {
    return false;
  }
}

/** Lost-event counts as either tool reports them. */
export function lostEvents(text: string): number {
  let n = 0;
  for (const m of text.matchAll(/Lost (\d+) events/g)) n += Number(m[1]);
  return n;
}
