// Runs one of bpftrace's runtime tests against one tool, with the semantics of bpftrace's own
// engine: skips by kernel version, REQUIRES commands and REQUIRES_FEATURE; BEFORE started first and
// waited for by name; AFTER started once the tool says its probes are attached
// (__BPFTRACE_NOTIFY_PROBES_ATTACHED on stderr); 5 s to attach, then TIMEOUT seconds; on a timeout
// the tool gets SIGTERM and still passes if its output matches; otherwise an unclean exit fails
// unless WILL_FAIL; EXPECT is a multi-line regular expression searched in stdout+stderr.

import { spawn, spawnSync, type ChildProcess } from '../child';
import { basename } from 'node:path';
import { release } from 'node:os';
import type { PeerTest } from './parse';

export type Outcome = 'pass' | 'fail' | 'timeout' | 'skip';

export interface Result {
  outcome: Outcome;
  /** Why it was skipped, or how it failed. */
  reason?: string;
  command: string;
  output: string;
}

export interface Tool {
  name: string;
  /** What {{BPFTRACE}} becomes. */
  path: string;
}

export interface RunContext {
  /** The work directory (see workdir.ts): tests refer to ./testprogs and runtime/scripts from there. */
  cwd: string;
  /** Features of this machine as bpftrace's engine names them (REQUIRES_FEATURE). */
  features: ReadonlySet<string>;
  /** Seconds allowed until the probes are attached (bpftrace's engine: 5). */
  attachTimeoutS: number;
}

const NOTIFY = '__BPFTRACE_NOTIFY_PROBES_ATTACHED';
const GRACE_MS = 5000;

export function skipReason(t: PeerTest, ctx: RunContext): string | null {
  const kernel = release();
  if (t.minKernel && compareVersions(t.minKernel, kernel) > 0) return `min kernel ${t.minKernel}`;
  if (t.maxKernel && compareVersions(t.maxKernel, kernel) < 0) return `max kernel ${t.maxKernel}`;
  for (const f of t.features) if (!ctx.features.has(f)) return `missing feature ${f}`;
  for (const f of t.notFeatures) if (ctx.features.has(f)) return `feature ${f} present`;
  for (const req of t.requires) {
    const r = spawnSync('sh', ['-c', req], { cwd: ctx.cwd, stdio: 'ignore', timeout: 30_000 });
    if (r.status !== 0) return `unmet: ${req}`;
  }
  return null;
}

export async function runTest(t: PeerTest, tool: Tool, ctx: RunContext): Promise<Result> {
  const skip = skipReason(t, ctx);
  let command = t.run.replaceAll('{{BPFTRACE}}', tool.path);
  if (skip) return { outcome: 'skip', reason: skip, command, output: '' };
  const started: ChildProcess[] = [];
  try {
    if (t.before) {
      started.push(group(t.before, ctx));
      const pid = await waitForProcess(basename(t.before.split(/\s+/).pop()!), t.timeoutS * 1000);
      if (pid === null) return { outcome: 'timeout', reason: `BEFORE never started: ${t.before}`, command, output: '' };
      command = command.replaceAll('{{BEFORE_PID}}', String(pid));
    }
    const env: NodeJS.ProcessEnv = { PATH: process.env.PATH, test: t.name, [NOTIFY]: '1', BPFTRACE_VERIFY_LLVM_IR: '1', ...t.env };
    // stderr joins stdout in one pipe, in the order written, as bpftrace's engine reads them.
    const p = group(`exec 2>&1; ${command}`, ctx, env, true);
    started.push(p);
    let output = '';
    let timedOut = false;
    let timer = setTimeout(() => expire(), ctx.attachTimeoutS * 1000);
    const expire = () => {
      timedOut = true;
      killGroup(p, 'SIGTERM');
      timer = setTimeout(() => killGroup(p, 'SIGKILL'), GRACE_MS);
    };
    const exit = await new Promise<number | null>((resolve) => {
      let notified = false;
      p.stdout!.setEncoding('utf8');
      p.stdout!.on('data', (d: string) => {
        output += d;
        if (!notified && output.includes(`${NOTIFY}\n`)) {
          notified = true;
          if (!timedOut) {
            clearTimeout(timer);
            timer = setTimeout(() => expire(), (t.timeoutS || 5) * 1000);
          }
          if (t.after) started.push(group(t.after, ctx));
        }
      });
      p.on('close', (code) => resolve(code));
    });
    clearTimeout(timer);
    const matched = expectRegExp(t.expect).test(output);
    if (timedOut) return matched ? { outcome: 'pass', command, output } : { outcome: 'timeout', reason: `no match within ${t.timeoutS || 5} s`, command, output };
    if (exit !== 0 && !t.willFail) return { outcome: 'fail', reason: `exit status ${exit}`, command, output };
    return matched ? { outcome: 'pass', command, output } : { outcome: 'fail', reason: `expected /${t.expect}/`, command, output };
  } finally {
    for (const c of started) killGroup(c, 'SIGKILL');
  }
}

/** A shell command in a process group of its own, so it and all it starts can be killed together. */
function group(cmd: string, ctx: RunContext, env: NodeJS.ProcessEnv = process.env, piped = false): ChildProcess {
  return spawn('sh', ['-c', cmd], { cwd: ctx.cwd, env, detached: true, stdio: ['ignore', piped ? 'pipe' : 'ignore', piped ? 'pipe' : 'ignore'] });
}

function killGroup(p: ChildProcess, sig: NodeJS.Signals): void {
  try {
    if (p.pid) process.kill(-p.pid, sig);
  } catch {
    // Already gone.
  }
}

async function waitForProcess(name: string, timeoutMs: number): Promise<number | null> {
  for (let waited = 0; waited <= timeoutMs; waited += 100) {
    const r = spawnSync('pidof', [name], { encoding: 'utf8', timeout: 5000 });
    const pid = Number(r.stdout?.trim().split(/\s+/)[0]);
    if (r.status === 0 && pid > 0) return pid;
    await new Promise((res) => setTimeout(res, 100));
  }
  return null;
}

/** EXPECT is a Python regular expression; the few spellings JavaScript writes differently are mapped. */
export function expectRegExp(expect: string): RegExp {
  return new RegExp(expect.replace(/\(\?P</g, '(?<').replace(/\(\?P=(\w+)\)/g, '\\k<$1>'), 'm');
}

/** Compares dotted versions numerically (5.15.0-91-generic against 4.18). */
export function compareVersions(a: string, b: string): number {
  const parts = (v: string) => v.split(/[.-]/).map((x) => parseInt(x, 10)).filter((x) => !Number.isNaN(x));
  const [pa, pb] = [parts(a), parts(b)];
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d) return d;
  }
  return 0;
}
