// Runs uvu over one folder of compiled suites and ends with the one line CI reads: "N passed,
// N failed". uvu's output is passed through as it comes, so a run that is killed still shows every
// suite that finished; its summary is parsed rather than replaced. The host suites (test/run.ts)
// and the kernel lane (test/kernel/run.ts) report the same way.

import { join, resolve } from 'node:path';
import { spawn } from './child';

/** The whole host suite takes 10-20 minutes on a busy two-core machine. */
const RUN_TIMEOUT_MS = 90 * 60_000;

/** `folder` is below dist/test ('.' for the host suites) or absolute; `pattern` picks the suite files. */
export function runSuites(folder: string, pattern: string): Promise<void> {
  const root = join(__dirname, '..', '..');
  const uvu = join(root, 'node_modules', 'uvu', 'bin.js');
  const child = spawn(process.execPath, [uvu, resolve(root, 'dist', 'test', folder), pattern], {
    cwd: root,
    stdio: ['ignore', 'pipe', 'inherit'],
    env: { ...process.env, FORCE_COLOR: '0' },
    timeout: RUN_TIMEOUT_MS,
  });
  let out = '';
  child.stdout!.setEncoding('utf8');
  child.stdout!.on('data', (d: string) => {
    out += d;
    process.stdout.write(d);
  });
  // A Ctrl-C or a CI stop reaches the suites too, and the count line is still printed.
  const forward = (sig: NodeJS.Signals) => child.kill(sig);
  process.on('SIGINT', forward);
  process.on('SIGTERM', forward);
  return new Promise((resolve) => {
    child.on('close', (status, signal) => {
      process.off('SIGINT', forward);
      process.off('SIGTERM', forward);
      if (signal) process.stdout.write(`\nthe suites were stopped by ${signal}${signal === 'SIGTERM' || signal === 'SIGKILL' ? ` (timeout ${RUN_TIMEOUT_MS / 60_000} min or a stop)` : ''}\n`);
      const plain = out.replace(/\x1b\[[0-9;]*m/g, '');
      const count = (label: string) => Number(new RegExp(`${label}:\\s+(\\d+)`).exec(plain)?.[1] ?? 0);
      let passed = count('Passed');
      const skipped = count('Skipped');
      // uvu's Total counts the tests that ran; skipped ones are not among them.
      let failed = count('Total') - passed;
      // Stopped before its summary: count the suites that finished, "(passed / total)" each.
      if (!/Total:/.test(plain)) {
        for (const [, p, t] of plain.matchAll(/\((\d+) \/ (\d+)\)/g)) {
          passed += Number(p);
          failed += Number(t) - Number(p);
        }
      }
      // A suite that crashed before reporting leaves no count behind: make sure it still fails the run.
      if (status !== 0 && failed === 0) failed = 1;
      process.stdout.write(`${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}\n`);
      process.exitCode = failed === 0 && status === 0 ? 0 : 1;
      resolve();
    });
  });
}
