// Runs uvu over one folder of compiled suites and ends with the one line CI reads: "N passed,
// N failed". uvu's own summary is parsed rather than replaced, so its per-test output stays as it
// is. The host suites (test/run.ts) and the kernel lane (test/kernel/run.ts) report the same way.

import { spawnSync } from './child';
import { join } from 'node:path';

/** `folder` is below dist/test ('.' for the host suites); `pattern` picks the suite files. */
export function runSuites(folder: string, pattern: string): void {
  const root = join(__dirname, '..', '..');
  const uvu = join(root, 'node_modules', 'uvu', 'bin.js');
  const r = spawnSync(process.execPath, [uvu, join(root, 'dist', 'test', folder), pattern], {
    cwd: root,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
    env: { ...process.env, FORCE_COLOR: '0' },
    // The whole host suite takes 10-20 minutes on a busy two-core machine.
    timeout: 90 * 60_000,
  });
  const out = r.stdout ?? '';
  process.stdout.write(out);
  const plain = out.replace(/\x1b\[[0-9;]*m/g, '');
  const count = (label: string) => Number(new RegExp(`${label}:\\s+(\\d+)`).exec(plain)?.[1] ?? 0);
  const passed = count('Passed');
  const skipped = count('Skipped');
  // uvu's Total counts the tests that ran; skipped ones are not among them.
  let failed = count('Total') - passed;
  // A suite that crashed before reporting leaves no count behind: make sure it still fails the run.
  if (r.status !== 0 && failed === 0) failed = 1;
  process.stdout.write(`${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}\n`);
  process.exitCode = failed === 0 && r.status === 0 ? 0 : 1;
}
