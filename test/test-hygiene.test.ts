// Rules the test code itself keeps (no root needed): every process a test or the bench starts has
// a timeout, so all of them go through test/child.ts.

import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { ROOT } from './helpers';
import { spawn, spawnSync } from './child';

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return name === 'fixtures' ? [] : sources(path);
    return name.endsWith('.ts') ? [path] : [];
  });
}

test('only test/child.ts imports node:child_process, so no spawned process lacks a timeout', () => {
  const files = [...sources(join(ROOT, 'test')), ...sources(join(ROOT, 'bench'))];
  assert.ok(files.length > 40, 'the sources were found');
  const offenders = files
    .filter((f) => relative(ROOT, f) !== join('test', 'child.ts'))
    .filter((f) => /['"](node:)?child_process['"]/.test(readFileSync(f, 'utf8')))
    .map((f) => relative(ROOT, f));
  assert.equal(offenders, []);
});

test('a process that outlives its timeout is ended, synchronously or not', async () => {
  const t0 = Date.now();
  const r = spawnSync('sleep', ['30'], { timeout: 200 });
  assert.is(r.status, null);
  assert.is(r.signal, 'SIGTERM');
  // One that ignores SIGTERM is killed a few seconds later.
  const p = spawn('sh', ['-c', 'trap "" TERM; while :; do sleep 1; done'], { stdio: 'ignore', timeout: 200 });
  const signal = await new Promise((resolve) => p.on('exit', (_code, sig) => resolve(sig)));
  assert.is(signal, 'SIGKILL');
  assert.ok(Date.now() - t0 < 15_000, 'ended within a few seconds of the timeout');
});

test.run();
