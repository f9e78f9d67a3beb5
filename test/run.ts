// Runs every uvu suite in dist/test and ends with the one line CI reads: "N passed, N failed".
// uvu's own summary is parsed rather than replaced, so its per-test output stays as it is.

import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

const root = join(__dirname, '..', '..');
const pattern = process.argv[2] ?? '\\.test\\.js$';
const uvu = join(root, 'node_modules', 'uvu', 'bin.js');
const r = spawnSync(process.execPath, [uvu, join(root, 'dist', 'test'), pattern], {
  cwd: root,
  encoding: 'utf8',
  stdio: ['ignore', 'pipe', 'inherit'],
  env: { ...process.env, FORCE_COLOR: '0' },
});
const out = r.stdout ?? '';
process.stdout.write(out);
const plain = out.replace(/\x1b\[[0-9;]*m/g, '');
const total = Number(/Total:\s+(\d+)/.exec(plain)?.[1] ?? 0);
const passed = Number(/Passed:\s+(\d+)/.exec(plain)?.[1] ?? 0);
const skipped = Number(/Skipped:\s+(\d+)/.exec(plain)?.[1] ?? 0);
// uvu's Total counts the tests that ran; skipped ones are not among them.
let failed = total - passed;
// A suite that crashed before reporting leaves no count behind: make sure it still fails the run.
if (r.status !== 0 && failed === 0) failed = 1;
process.stdout.write(`${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}\n`);
process.exitCode = failed === 0 && r.status === 0 ? 0 : 1;
