// Rules the test code itself keeps (no root needed): every process a test or the bench starts has
// a timeout, so all of them go through test/child.ts; the runner shows each suite as it finishes.

import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
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

test('the runner streams each suite as it finishes; stopped midway it still ends with the count line', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'bpfscript-runner-'));
  try {
    const suite = (body: string) => `const { test } = require('uvu');\n${body}\ntest.run();\n`;
    writeFileSync(join(dir, 'a.test.js'), suite("test('one', () => {}); test('two', () => {});"));
    writeFileSync(join(dir, 'b.test.js'), suite("test('slow', () => new Promise((r) => setTimeout(r, 60_000)));"));
    const runner = join(ROOT, 'dist', 'test', 'uvu-runner.js');
    const p = spawn(process.execPath, ['-e', `require(${JSON.stringify(runner)}).runSuites(${JSON.stringify(dir)}, '\\.test\\.js$')`], {
      stdio: ['ignore', 'pipe', 'inherit'],
      env: { ...process.env, NODE_PATH: join(ROOT, 'node_modules') },
      timeout: 60_000,
    });
    let out = '';
    let early = '';
    p.stdout!.on('data', (d) => {
      out += d;
      // a.test.js has reported while b.test.js still runs: stop the run as CI would.
      if (!early && /\(2 \/ 2\)/.test(out)) {
        early = out;
        p.kill('SIGTERM');
      }
    });
    const status = await new Promise((r) => p.on('close', (code) => r(code)));
    assert.match(early, /a\.test\.js/);
    assert.ok(out.trimEnd().endsWith('2 passed, 1 failed'), out);
    assert.is(status, 1);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test.run();
