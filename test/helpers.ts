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

/** Compiles test/fixtures/NAME.c once into test/fixtures/bin/NAME and returns its path. */
export function fixture(name: string): string {
  const src = join(FIXTURES, `${name}.c`);
  const outDir = join(FIXTURES, 'bin');
  const out = join(outDir, name);
  if (!existsSync(out) || statSync(out).mtimeMs < statSync(src).mtimeMs) {
    mkdirSync(outDir, { recursive: true });
    // Static, so the dynamic loader's own syscalls (openat of libc …) don't blur exact counts.
    execFileSync('cc', ['-O1', '-static', '-o', out, src]);
  }
  return out;
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
 * Runs `prog` under bpfscript and bpftrace 0.17 with the same arguments and environment, asserts
 * bpfscript succeeded cleanly and printed exactly what bpftrace printed, and returns that output.
 */
export function sameAsBpftrace(prog: string, extra: string[] = [], env: NodeJS.ProcessEnv = {}): string {
  const ours = bpfscript(['-e', prog, ...extra], { env });
  assert.is(ours.stderr, '');
  assert.is(ours.status, 0);
  const theirs = spawnSync('bpftrace', ['-e', prog, ...extra], { encoding: 'utf8', env: { ...process.env, ...env } });
  assert.is(ours.stdout, theirs.stdout);
  return ours.stdout;
}
