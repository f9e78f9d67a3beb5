// Shared by the test suites: run the CLI, build workload fixtures, check the kernel is clean.

import * as assert from 'uvu/assert';
import { execFileSync, RUN_ENV, RUN_ID, spawn, spawnSync } from './child';
import { chmodSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, renameSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const ROOT = join(__dirname, '..', '..');
export const BIN = join(ROOT, 'bin', 'bpfscript');
const FIXTURES = join(ROOT, 'test', 'fixtures');

export interface RunResult {
  stdout: string;
  stderr: string;
  status: number | null;
}

export function bpfscript(args: string[], opts: { timeoutMs?: number; env?: NodeJS.ProcessEnv } = {}): RunResult {
  const r = spawnSync(process.execPath, [BIN, ...args], {
    encoding: 'utf8',
    timeout: opts.timeoutMs ?? 60_000,
    env: { ...process.env, ...opts.env },
  });
  return { stdout: r.stdout, stderr: r.stderr, status: r.status };
}

/** Starts bpfscript, waits for "Attaching", then calls `whileRunning`, then sends `signal`. */
export function bpfscriptUntil(
  args: string[],
  whileRunning: () => void | Promise<void>,
  signal: NodeJS.Signals = 'SIGINT',
): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, [BIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let started = false;
    const timer = setTimeout(() => p.kill('SIGKILL'), 60_000);
    p.stdout.on('data', async (d) => {
      stdout += d;
      if (!started && stdout.includes('Attaching')) {
        started = true;
        // "Attaching N probes..." is printed before the probes attach, as bpftrace prints it (an
        // attach failure then follows it): give the attach a moment, or a workload started at once
        // can run before the probes are live on a loaded machine (seen once in CI).
        await new Promise((r) => setTimeout(r, 300));
        try {
          await whileRunning();
        } catch (e) {
          reject(e);
        }
        p.kill(signal);
      }
    });
    p.stderr.on('data', (d) => (stderr += d));
    p.on('close', (status) => {
      clearTimeout(timer);
      resolve({ stdout, stderr, status });
    });
  });
}

/** This run's own directory (fixture copies, scratch files), removed when the run ends. */
let runDirectory: string | undefined;
export function runDir(): string {
  if (!runDirectory) {
    const dir = mkdtempSync(join(tmpdir(), 'bpfscript-test-'));
    // Fixtures are also run as an unprivileged user.
    chmodSync(dir, 0o755);
    process.on('exit', () => rmSync(dir, { recursive: true, force: true }));
    runDirectory = dir;
  }
  return runDirectory;
}

/** A path for a scratch file of this run: another copy of the suite uses its own. */
export function scratchPath(name: string): string {
  return join(runDir(), name);
}

/**
 * test/fixtures/NAME.c built with `flags`, as this run's own copy named OUT. The build is kept in
 * test/fixtures/bin/OUT (rebuilt when the source changes, renamed into place so a concurrent run
 * never executes a half-written file); the copy gives this run its own inode, because a uprobe
 * belongs to a file, not to a process: bpftrace 0.17 does not filter its uprobes by -p/-c, so its
 * watchpoint setup probe stops, and its uprobes count, every process that runs the same file,
 * another run's workloads included.
 */
export function buildFixture(name: string, out: string, flags: string[]): string {
  const src = join(FIXTURES, `${name}.c`);
  const outDir = join(FIXTURES, 'bin');
  const built = join(outDir, out);
  if (!existsSync(built) || statSync(built).mtimeMs < statSync(src).mtimeMs) {
    mkdirSync(outDir, { recursive: true });
    const tmp = `${built}.${process.pid}.tmp`;
    execFileSync('cc', [...flags, '-o', tmp, src]);
    renameSync(tmp, built);
  }
  const copy = join(runDir(), out);
  if (!existsSync(copy)) {
    copyFileSync(built, `${copy}.tmp`);
    chmodSync(`${copy}.tmp`, 0o755);
    renameSync(`${copy}.tmp`, copy);
  }
  return copy;
}

/**
 * A static build of test/fixtures/NAME.c, so the dynamic loader's own syscalls (openat of libc …)
 * don't blur exact counts.
 */
export function fixture(name: string): string {
  return buildFixture(name, name, ['-O1', '-static']);
}

/**
 * The static fixture NAME under a name of this run's own, so its comm (the file name, cut to 15
 * characters) is too: a probe filtered on `comm == "…"` then sees this run's workload only, not the
 * same fixture run by another copy of the suite at the same time.
 */
export function renamedFixture(name: string): { path: string; comm: string } {
  const comm = `${name.slice(0, 10)}-${RUN_ID.slice(-4)}`;
  const path = join(runDir(), comm);
  if (!existsSync(path)) {
    copyFileSync(fixture(name), `${path}.tmp`);
    chmodSync(`${path}.tmp`, 0o755);
    renameSync(`${path}.tmp`, path);
  }
  return { path, comm };
}

/** A dynamically linked build (uprobes on libc, USDT notes), named NAME-O0 / NAME-O1 by its optimisation. */
export function dynamicFixture(name: string, opt: '-O0' | '-O1'): string {
  return buildFixture(name, `${name}${opt}`, [opt]);
}

export const isRoot = process.getuid?.() === 0;

/**
 * Loads a compiled object through the kernel's verifier, without attaching, and unloads it: for
 * probe types this host cannot attach (kprobes, fentry, hardware events). libbpf is required only
 * here so that suites which never load keep a cheap start.
 */
export function assertVerifies(elf: Buffer, what: string): void {
  const { BpfObject } = require('../runtime/libbpf') as typeof import('../runtime/libbpf');
  const obj = BpfObject.openMem(elf, 'verifier-check');
  try {
    // A kprobe's fentry twin (src/semantic/twins.ts) is loaded only where tracing programs are,
    // as runtime/load.ts does: this host refuses them all.
    const { tracingRefused } = require('../common/kernel/features') as typeof import('../common/kernel/features');
    if (tracingRefused() !== null) for (const p of obj.programs()) if (/^probe_\d+_tw$/.test(p.name)) p.setAutoload(false);
    obj.load();
    assert.ok(obj.loaded, what);
  } finally {
    obj.close();
  }
}

/** The names bpfscript gives its programs. */
export const PROBE_NAME = /^probe_\d+$/;

/** A BPF object some live process of this run holds an fd of. */
interface Held {
  kind: 'prog' | 'map';
  id: number;
  pid: number;
}

/** The pids of this run: this process and every live one that carries the run's mark (test/child.ts). */
function runPids(): number[] {
  const mark = `${RUN_ENV}=${RUN_ID}\0`;
  const pids = [process.pid];
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d) || Number(d) === process.pid) continue;
    try {
      if (readFileSync(`/proc/${d}/environ`, 'latin1').includes(mark)) pids.push(Number(d));
    } catch {
      // gone meanwhile
    }
  }
  return pids;
}

/** Programs and maps held by fds of this run's live processes (a link's fd names its program). */
function heldByThisRun(): Held[] {
  const held: Held[] = [];
  for (const pid of runPids()) {
    let fds: string[];
    try {
      fds = readdirSync(`/proc/${pid}/fd`);
    } catch {
      continue;
    }
    for (const fd of fds) {
      try {
        if (!/^anon_inode:.*bpf/.test(readlinkSync(`/proc/${pid}/fd/${fd}`))) continue;
        const info = readFileSync(`/proc/${pid}/fdinfo/${fd}`, 'utf8');
        for (const [, kind, id] of info.matchAll(/^(prog|map)_id:\s*(\d+)$/gm)) held.push({ kind: kind as Held['kind'], id: Number(id), pid });
      } catch {
        // closed meanwhile
      }
    }
  }
  return held;
}

function commOf(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
  } catch {
    return '?';
  }
}

/**
 * BPF objects named like `name` that a live process of this run still holds: this test process, a
 * bpfscript that did not exit, a -c command that inherited an fd. Nothing bpfscript loads is pinned,
 * so an object outlives its process only through an fd; programs that other runs (another copy of
 * the suite, another user's bpfscript) load at the same time are not this run's and never count.
 * A process that is exiting right now is given a moment.
 */
export function leakedObjects(name: RegExp = PROBE_NAME, kinds: Held['kind'][] = ['prog']): string[] {
  let leaks: string[] = [];
  for (let i = 0; i < 40; i++) {
    const held = heldByThisRun().filter((h) => kinds.includes(h.kind));
    if (!held.length) return [];
    // Names only when something is held at all: bpftool is the slow part.
    const names = new Map<string, string>();
    for (const kind of kinds) {
      const list = JSON.parse(execFileSync('bpftool', ['-j', kind, 'list'], { encoding: 'utf8', maxBuffer: 1 << 28 })) as { id: number; name?: string }[];
      for (const o of list) names.set(`${kind}:${o.id}`, o.name ?? '');
    }
    leaks = [...new Set(held
      .filter((h) => name.test(names.get(`${h.kind}:${h.id}`) ?? ''))
      .map((h) => `${names.get(`${h.kind}:${h.id}`)} (${h.kind} id ${h.id}, held by pid ${h.pid} ${commOf(h.pid)})`))];
    if (!leaks.length) return [];
    spawnSync('sleep', ['0.05']);
  }
  return leaks;
}

/** bpfscript programs (probe_N) that a live process of this run still holds: see leakedObjects. */
export function leakedPrograms(): string[] {
  return leakedObjects(PROBE_NAME, ['prog']);
}

/**
 * Runs `prog` under bpfscript and bpftrace 0.17 with the same arguments and environment, asserts
 * bpfscript succeeded cleanly and printed exactly what bpftrace printed, and returns that output.
 */
export function sameAsBpftrace(prog: string, extra: string[] = [], env: NodeJS.ProcessEnv = {}): string {
  const ours = bpfscript(['-e', prog, ...extra], { env });
  assert.is(ours.stderr, '');
  assert.is(ours.status, 0);
  const theirs = spawnSync('bpftrace', ['-e', prog, ...extra], { encoding: 'utf8', env: { ...process.env, ...env } });
  assert.is(theirs.error?.message, undefined, 'bpftrace ran to its end within the timeout');
  assert.is(ours.stdout, theirs.stdout);
  return ours.stdout;
}
