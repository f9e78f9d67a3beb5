// Shared by the test suites: run the CLI, build workload fixtures, check the kernel is clean.

import * as assert from 'uvu/assert';
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, statSync } from 'node:fs';
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

/** Compiles test/fixtures/NAME.c with `flags` into test/fixtures/bin/OUT once (again when the source changes). */
function buildFixture(name: string, out: string, flags: string[]): string {
  const src = join(FIXTURES, `${name}.c`);
  const outDir = join(FIXTURES, 'bin');
  const path = join(outDir, out);
  if (!existsSync(path) || statSync(path).mtimeMs < statSync(src).mtimeMs) {
    mkdirSync(outDir, { recursive: true });
    execFileSync('cc', [...flags, '-o', path, src]);
  }
  return path;
}

/**
 * A static build of test/fixtures/NAME.c, so the dynamic loader's own syscalls (openat of libc …)
 * don't blur exact counts.
 */
export function fixture(name: string): string {
  return buildFixture(name, name, ['-O1', '-static']);
}

/** A dynamically linked build (uprobes on libc, USDT notes), named NAME-O0 / NAME-O1 by its optimisation. */
export function dynamicFixture(name: string, opt: '-O0' | '-O1'): string {
  return buildFixture(name, `${name}${opt}`, [opt]);
}

/**
 * Names of loaded BPF programs that bpfscript generated (probe_N), from bpftool. The kernel frees
 * programs shortly after their last fd closes, so a non-empty answer is re-checked for a moment.
 */
export function loadedProbePrograms(): string[] {
  let names: string[] = [];
  for (let i = 0; i < 20; i++) {
    const out = execFileSync('bpftool', ['prog', 'list', '-j'], { encoding: 'utf8' });
    const progs = JSON.parse(out) as { name?: string }[];
    names = progs.map((p) => p.name ?? '').filter((n) => /^probe_\d+$/.test(n));
    if (!names.length) break;
    spawnSync('sleep', ['0.05']);
  }
  return names;
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
    obj.load();
    assert.ok(obj.loaded, what);
  } finally {
    obj.close();
  }
}

/** Ids of loaded bpfscript programs (probe_N). */
export function probeProgramIds(): Set<number> {
  const progs = JSON.parse(execFileSync('bpftool', ['prog', 'list', '-j'], { encoding: 'utf8' })) as { id: number; name?: string }[];
  return new Set(progs.filter((p) => /^probe_\d+$/.test(p.name ?? '')).map((p) => p.id));
}

/**
 * bpfscript programs loaded now that were not in `before`. Other sessions on a shared machine may
 * have their own loaded, so suites compare against the ids present when they started; the kernel
 * frees a program shortly after its last fd closes, so leftovers are re-checked for a moment.
 */
export function leftoverPrograms(before: Set<number>): number[] {
  let left: number[] = [];
  for (let i = 0; i < 20; i++) {
    left = [...probeProgramIds()].filter((id) => !before.has(id));
    if (!left.length) break;
    spawnSync('sleep', ['0.05']);
  }
  return left;
}

/**
 * Runs `prog` under bpfscript and bpftrace 0.17 with the same arguments and environment, asserts
 * bpfscript succeeded cleanly and printed exactly what bpftrace printed, and returns that output.
 */
export function sameAsBpftrace(prog: string, extra: string[] = [], env: NodeJS.ProcessEnv = {}): string {
  const ours = bpfscript(['-e', prog, ...extra], { env });
  assert.is(ours.stderr, '');
  assert.is(ours.status, 0);
  const theirs = spawnSync('bpftrace', ['-e', prog, ...extra], { encoding: 'utf8', timeout: 60_000, env: { ...process.env, ...env } });
  assert.is(ours.stdout, theirs.stdout);
  return ours.stdout;
}
