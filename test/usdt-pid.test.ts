// usdt with -p PID and no binary (usdt:NAME, usdt::PROVIDER:NAME): every object the process maps
// is searched for the probe, as bpftrace 0.17 does; the names printed carry the object's path
// through the process's root (/proc/PID/root/...), as bpftrace's do.

import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawn } from './child';
import { realpathSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT, bpfscript, dynamicFixture } from './helpers';

const APP = () => dynamicFixture('usdt-app', '-O1');

/** Runs a tracer until its BEGIN prints "ready", lets the app finish, then sends SIGINT. */
function untilReady(cmd: string, args: string[], app: ReturnType<typeof spawn>): Promise<{ stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const p = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    const exited = new Promise((res) => app.on('exit', res));
    p.stdout.on('data', async (d) => {
      stdout += d;
      if (!stdout.includes('ready\n') || stdout.includes('\u0000')) return;
      stdout += '\u0000';
      app.stdin!.end('go\n');
      await exited;
      p.kill('SIGINT');
    });
    p.stderr.on('data', (d) => (stderr += d));
    p.on('close', () => resolve({ stdout: stdout.replace('\u0000', ''), stderr: stderr.split('\n').filter((l) => !/RLIMIT_MEMLOCK/.test(l)).join('\n') }));
  });
}

const PROG = 'BEGIN { printf("ready\\n"); } usdt:guarded { @guarded = sum(arg0); } usdt::bpfs:done { @[probe] = count(); }';

test('usdt:NAME and usdt::PROVIDER:NAME with -p search the process\'s objects', async () => {
  const bin = APP();
  const app = spawn(bin, ['3', 'wait'], { stdio: ['pipe', 'ignore', 'ignore'] });
  try {
    const r = await untilReady(process.execPath, [join(ROOT, 'bin', 'bpfscript'), '-p', String(app.pid), '-e', PROG], app);
    assert.is(r.stderr, '');
    assert.is(r.stdout, `Attaching 3 probes...\nready\n\n\n@[usdt:/proc/${app.pid}/root${realpathSync(bin)}:bpfs:done]: 1\n@guarded: 3\n`);
  } finally {
    app.kill();
  }
});

test('bpftrace 0.17 prints the same', async () => {
  const bin = APP();
  const run = async (cmd: string, args: string[]) => {
    const app = spawn(bin, ['2', 'wait'], { stdio: ['pipe', 'ignore', 'ignore'] });
    try {
      // Each run traces its own app process: the pid in the paths differs.
      return (await untilReady(cmd, [...args, '-p', String(app.pid), '-e', PROG], app)).stdout.replaceAll(`/proc/${app.pid}/`, '/proc/PID/');
    } finally {
      app.kill();
    }
  };
  assert.is(await run(process.execPath, [join(ROOT, 'bin', 'bpfscript')]), await run('bpftrace', []));
});

test('without -p the binary is required, and the hint says when it may be left out', () => {
  const r = bpfscript(['-e', 'usdt:guarded { }']);
  assert.is(r.status, 1);
  assert.match(r.stderr, /ERROR: usdt probe must be usdt:binary:provider:name or usdt:binary:name, got usdt:guarded\n/);
  assert.match(r.stderr, /HINT: with -p PID the binary may be left out: usdt:NAME or usdt::PROVIDER:NAME\n/);
});

test('a probe no mapped object has is an error naming the process', () => {
  const sleeper = spawn('sleep', ['60'], { stdio: 'ignore' });
  try {
    const r = bpfscript(['-p', String(sleeper.pid), '-e', 'usdt:no_such_probe { }']);
    assert.is(r.status, 1);
    assert.match(r.stderr, new RegExp(`ERROR: no usdt probe no_such_probe in the objects process ${sleeper.pid} maps\\n`));
  } finally {
    sleeper.kill();
  }
});

test.run();
