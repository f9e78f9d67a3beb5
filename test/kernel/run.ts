// The kernel lane's runner, inside the VM: every suite in dist/test/kernel named *.kernel.js (the
// host's `npm test` only picks *.test.js), ending with the same "N passed, N failed" line.

import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

const root = join(__dirname, '..', '..', '..');
const uvu = join(root, 'node_modules', 'uvu', 'bin.js');
const r = spawnSync(process.execPath, [uvu, join(root, 'dist', 'test', 'kernel'), process.argv[2] ?? '\\.kernel\\.js$'], {
  cwd: root,
  encoding: 'utf8',
  stdio: ['ignore', 'pipe', 'inherit'],
  env: { ...process.env, FORCE_COLOR: '0' },
});
const out = r.stdout ?? '';
process.stdout.write(out);
const count = (label: string) => Number(new RegExp(`${label}:\\s+(\\d+)`).exec(out)?.[1] ?? 0);
const passed = count('Passed');
const skipped = count('Skipped');
let failed = count('Total') - passed - skipped;
if (r.status !== 0 && failed === 0) failed = 1;
process.stdout.write(`${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}\n`);
process.exitCode = failed === 0 && r.status === 0 ? 0 : 1;
