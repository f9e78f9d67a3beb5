// Shared by the kernel-lane suites (run inside the VM by test/kernel/run-lane.sh): workload
// binaries, and bpftrace as the oracle for the same script.

import * as assert from 'uvu/assert';
import { execFileSync, spawnSync } from '../child';
import { existsSync, mkdirSync, readFileSync, statSync } from 'node:fs';
import { release } from 'node:os';
import { join } from 'node:path';
import { ROOT, bpfscript, type RunResult } from '../helpers';

const SRC = join(ROOT, 'test', 'kernel', 'fixtures');
const OUT = join(ROOT, 'dist', 'test', 'kernel', 'fixtures');

/** test/kernel/fixtures/NAME.c, built static (run-lane.sh builds them on the host before the boot). */
export function kfixture(name: string): string {
  const src = join(SRC, `${name}.c`);
  const out = join(OUT, name);
  if (!existsSync(out) || statSync(out).mtimeMs < statSync(src).mtimeMs) {
    mkdirSync(OUT, { recursive: true });
    execFileSync('cc', ['-O1', '-static', '-o', out, src]);
  }
  return out;
}

/** bpfscript -e SCRIPT -c COMMAND. */
export function traceCommand(script: string, command: string, extra: string[] = [], env: NodeJS.ProcessEnv = {}): RunResult {
  return bpfscript([...extra, '-e', script, '-c', command], { timeoutMs: 240_000, env });
}

/**
 * Whether the booted kernel should offer kprobe_multi, from its build config rather than from
 * bpfscript's own probe: fprobe (5.18+) backs the multi links.
 */
export function kernelHasFprobe(): boolean {
  try {
    return /^CONFIG_FPROBE=y$/m.test(readFileSync(`/boot/config-${release()}`, 'utf8'));
  } catch {
    return false;
  }
}

/** bpftrace 0.17 on the same script and command; its RLIMIT_MEMLOCK complaint is dropped. */
export function bpftrace(script: string, command: string): RunResult {
  const r = spawnSync('bpftrace', ['-e', script, '-c', command], { encoding: 'utf8', timeout: 240_000 });
  const stderr = r.stderr.split('\n').filter((l) => !/RLIMIT_MEMLOCK/.test(l)).join('\n');
  return { stdout: r.stdout, stderr, status: r.status };
}

/** The kreads workload of most suites: three reads of 12345 bytes, then one of 777. */
export const reads = (): string => `${kfixture('kreads')} 3 12345 1 777`;

/** bpfscript prints `want` on the kreads workload; with `bt`, bpftrace 0.17 prints it too (its runs cost ~10 s each here). */
export function sameOnReads(script: string, want: string, bt?: string): void {
  const r = traceCommand(script, reads());
  assert.is(r.stderr, '', script);
  assert.is(r.stdout, want, script);
  assert.is(r.status, 0);
  if (bt) assert.is(bpftrace(bt, reads()).stdout, want, `bpftrace: ${bt}`);
}
