// Runs one of bpftrace's runtime tests against one tool, with the semantics of bpftrace's own
// engine: skips by kernel version, SKIP_IF_ENV_HAS, REQUIRES commands and REQUIRES_FEATURE; SETUP
// run first; BEFOREs started and waited for by name; AFTER started once the tool says its probes
// are attached (__BPFTRACE_NOTIFY_PROBES_ATTACHED); 5 s to attach, then TIMEOUT seconds; on a
// timeout the tool gets SIGTERM and still passes if its output matches; otherwise an exit status
// other than RETURN_CODE fails unless WILL_FAIL; CLEANUP run last. Each expectation is checked on
// stdout+stderr (see checkExpect); EXPECT_FILE and EXPECT_JSON see only what follows the notice.

import { spawn, spawnSync, type ChildProcess } from '../child';
import { basename, join } from 'node:path';
import { readFileSync, readdirSync } from 'node:fs';
import { release } from 'node:os';
import type { Expect, PeerTest } from './parse';

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
  /** Added to the environment of the test's command (BPFSCRIPT_COMPAT for the 0.26 dialect). */
  env?: Record<string, string>;
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
  if (t.skipIfEnvHas && (process.env[t.skipIfEnvHas[0]] ?? '') === t.skipIfEnvHas[1]) return `environment has ${t.skipIfEnvHas.join('=')}`;
  for (const req of t.requires) {
    const r = spawnSync('sh', ['-c', req], { cwd: ctx.cwd, stdio: 'ignore', timeout: 30_000 });
    if (r.status !== 0) return `unmet: ${req}`;
  }
  for (const f of t.features) if (!ctx.features.has(f)) return `missing feature ${f}`;
  for (const f of t.notFeatures) if (ctx.features.has(f)) return `feature ${f} present`;
  // A new pid namespace around BEFORE, RUN and AFTER (one test of 0.26) is not reproduced here.
  if (t.newPidns) return 'NEW_PIDNS is not supported by this harness';
  return null;
}

export async function runTest(t: PeerTest, tool: Tool, ctx: RunContext): Promise<Result> {
  const skip = skipReason(t, ctx);
  let command = t.run.replaceAll('{{BPFTRACE}}', tool.path);
  if (skip) return { outcome: 'skip', reason: skip, command, output: '' };
  const started: ChildProcess[] = [];
  const exact = t.expects.some((e) => e.mode === 'file' || e.mode === 'json');
  try {
    if (t.setup) {
      const r = spawnSync('sh', ['-c', t.setup], { cwd: ctx.cwd, encoding: 'utf8', timeout: 60_000 });
      if (r.status !== 0) return { outcome: 'fail', reason: `SETUP failed: ${t.setup}`, command, output: `${r.stdout ?? ''}${r.stderr ?? ''}` };
    }
    if (t.befores.length) {
      for (const b of t.befores) started.push(group(b, ctx));
      for (const b of t.befores) {
        const pid = await waitForProcess(basename(b.trim().split(/\s+/).pop()!), (t.timeoutS || 5) * 1000);
        if (pid === null) return { outcome: 'timeout', reason: `BEFORE never started: ${b}`, command, output: '' };
        if (b === t.befores[0]) command = command.replaceAll('{{BEFORE_PID}}', String(pid));
      }
    }
    const env: NodeJS.ProcessEnv = { PATH: process.env.PATH, test: t.name, [NOTIFY]: '1', BPFTRACE_VERIFY_LLVM_IR: '1', ...tool.env, ...t.env };
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
        const at = notified ? -1 : output.indexOf(`${NOTIFY}\n`);
        if (at >= 0) {
          notified = true;
          // The engine compares a file's contents with what follows the notice only.
          if (exact) output = output.slice(at + NOTIFY.length + 1);
          if (!timedOut) {
            clearTimeout(timer);
            timer = setTimeout(() => expire(), (t.timeoutS || 5) * 1000);
          }
          // `$(pidof bpftrace)` means the tracer under test, which is found among this command's
          // processes: pidof would name no bpfscript (a node process) or another run's bpftrace.
          if (t.after) started.push(group(t.after.replaceAll('$(pidof bpftrace)', String(toolPid(p.pid!, tool.path) ?? p.pid)), ctx));
        }
      });
      p.on('close', (code) => resolve(code));
    });
    clearTimeout(timer);
    const failed = t.expects.filter((e) => {
      try {
        return !checkExpect(e, output, t, ctx);
      } catch {
        return true; // an expectation this harness cannot read fails the test, not the run
      }
    });
    const matched = failed.length === 0;
    const why = () => failed.map((e) => `${e.mode}: ${e.text.split('\n')[0]}`).join('; ');
    if (t.cleanup) spawnSync('sh', ['-c', t.cleanup], { cwd: ctx.cwd, stdio: 'ignore', timeout: 60_000 });
    if (timedOut) return matched ? { outcome: 'pass', command, output } : { outcome: 'timeout', reason: `no match within ${t.timeoutS || 5} s (${why()})`, command, output };
    if (exit !== t.returnCode && !t.willFail) return { outcome: 'fail', reason: `exit status ${exit}`, command, output };
    if (exit === 0 && t.willFail) return { outcome: 'fail', reason: 'exit status 0 but WILL_FAIL', command, output };
    return matched ? { outcome: 'pass', command, output } : { outcome: 'fail', reason: `expected ${why()}`, command, output };
  } finally {
    for (const c of started) killGroup(c, 'SIGKILL');
  }
}

/** One expectation on the output, as bpftrace's engine checks it. */
export function checkExpect(e: Expect, output: string, t: PeerTest, ctx: RunContext): boolean {
  switch (e.mode) {
    case 'regex':
      return expectRegExp(e.text).test(output);
    case 'regex_none':
      return !expectRegExp(e.text).test(output);
    case 'text':
    case 'text_none': {
      // A whole line, leading and trailing whitespace aside.
      const found = new RegExp(`^\\s*${escapeRegExp(e.text)}\\s*$`, 'm').test(output);
      return e.mode === 'text' ? found : !found;
    }
    case 'file': {
      let want = readFileSync(join(ctx.cwd, e.text), 'utf8').trim();
      if (t.localizeTs !== undefined) want = localTime(want, t.localizeTs);
      return output.trim() === want;
    }
    case 'json':
      return jsonMatches(readFileSync(join(ctx.cwd, e.text), 'utf8'), output, e.text.endsWith('.ndjson'));
  }
}

/** A .json file is one value the whole output must equal; an .ndjson file one value per line. */
function jsonMatches(file: string, output: string, lines: boolean): boolean {
  const got = output.trim().split('\n');
  try {
    if (!lines) return got.length === 1 && deepEqual(JSON.parse(got[0]), JSON.parse(file));
    const want = file.trim().split('\n');
    return want.length === got.length && want.every((w, i) => deepEqual(JSON.parse(got[i]), JSON.parse(w)));
  } catch {
    return false;
  }
}

/** Python's == on parsed JSON: objects compare without regard to member order. */
function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  return ka.length === kb.length && ka.every((k) => Object.hasOwn(b, k) && deepEqual((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
}

/** LOCALIZE_TIMESTAMPS: the file is a strftime format, filled with that second in local time. */
function localTime(format: string, epoch: number): string {
  const r = spawnSync('date', ['-d', `@${epoch}`, `+${format}`], { encoding: 'utf8', timeout: 10_000 });
  return r.status === 0 ? r.stdout.replace(/\n$/, '') : format;
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}

/** A shell command in a process group of its own, so it and all it starts can be killed together. */
/** The process under `root` (itself included) that runs `path`, by its command line. */
function toolPid(root: number, path: string): number | null {
  const children = new Map<number, number[]>();
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      // The parent is the field after the parenthesised command name, which may hold spaces.
      const stat = readFileSync(`/proc/${d}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      children.set(ppid, [...(children.get(ppid) ?? []), Number(d)]);
    } catch {
      // Gone meanwhile.
    }
  }
  const queue = [root];
  while (queue.length) {
    const pid = queue.shift()!;
    try {
      const argv = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
      if (argv.slice(0, 2).some((a) => a === path || basename(a) === basename(path))) return pid;
    } catch {
      continue;
    }
    queue.push(...(children.get(pid) ?? []));
  }
  return null;
}

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
  const js = expect
    .replace(/\(\?P</g, '(?<')
    .replace(/\(\?P=(\w+)\)/g, '\\k<$1>')
    // Python's inline DOTALL group around a bare wildcard, which this Node may not know.
    .replace(/\(\?s:\.([*+?])\)/g, '[\\s\\S]$1');
  try {
    return new RegExp(js, 'm');
  } catch (e) {
    throw new Error(`EXPECT_REGEX not understood here: ${(e as Error).message}`);
  }
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
