// -l with globbed binaries and with -p PID (a process's uprobes and usdt probes, its libraries'
// too, and a process in another mount namespace), compared with bpftrace 0.17 listing the same;
// usdt attach points with a globbed binary or an empty provider, as 0.17 takes them.

import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawn, spawnSync } from './child';
import { mkdirSync, realpathSync } from 'node:fs';
import { join } from 'node:path';
import { bpfscript, buildFixture, dynamicFixture, runDir } from './helpers';

const app = (): string => dynamicFixture('usdt-app', '-O1');

/** A program linked with a library that has a usdt probe, both in this run's directory. */
function libApp(): string {
  const lib = buildFixture('usdt-lib', 'libbpfs-usdt.so', ['-O1', '-shared', '-fPIC', '-Wl,-soname,libbpfs-usdt.so']);
  return buildFixture('usdt-lib', 'usdt-lib-app', ['-O1', '-DAPP', '-Wl,--no-as-needed', lib.replace(runDir(), join(__dirname, '..', '..', 'test', 'fixtures', 'bin')), "-Wl,-rpath,$ORIGIN"]);
}

const bpftraceList = (args: string[]) => spawnSync('bpftrace', args, { encoding: 'utf8' }).stdout;

/** Runs `body` with `cmd` started and waiting on its stdin, then lets it finish. */
async function whileWaiting(cmd: string, args: string[], body: (pid: number) => void): Promise<void> {
  const p = spawn(cmd, args, { stdio: ['pipe', 'ignore', 'ignore'] });
  const exited = new Promise((res) => p.on('exit', res));
  try {
    // Let it load its libraries (or enter its namespace) before its maps are read.
    await new Promise((r) => setTimeout(r, 300));
    body(p.pid!);
  } finally {
    p.stdin!.end('go\n');
    await exited;
  }
}

test('-l with a glob in the binary path lists every matching binary, as bpftrace does', () => {
  const dir = runDir();
  app();
  for (const pattern of [`uprobe:${dir}/usdt-app-O*:wo*`, `uprobe:${dir}/usdt-*:main`, `usdt:${dir}/usdt-app*:bpfs:lo*`, `usdt:${dir}/usdt-app-O*:*`]) {
    const r = bpfscript(['-l', pattern]);
    assert.is(r.stderr, '', pattern);
    assert.ok(r.stdout.length > 0, pattern);
    assert.is(r.stdout, bpftraceList(['-l', pattern]), pattern);
  }
  assert.is(bpfscript(['-l', `uprobe:${dir}/usdt-app-O*:wo*`]).stdout, `uprobe:${dir}/usdt-app-O1:work\n`);
  assert.is(bpfscript(['-l', `usdt:${dir}/usdt-app*:bpfs:lo*`]).stdout, `usdt:${dir}/usdt-app-O1:bpfs:loop\n`);
  // `?` too (bpftrace 0.17 globs a binary only for `*`, and lists nothing here).
  assert.is(bpfscript(['-l', `uprobe:${dir}/usdt-app-O?:wor?`]).stdout, `uprobe:${dir}/usdt-app-O1:work\n`);
  // A glob that matches nothing lists nothing, without a warning.
  assert.equal(bpfscript(['-l', `uprobe:${dir}/no-such-*:*`]), { stdout: '', stderr: '', status: 0 });
});

test('-l -p PID lists the process\'s uprobes (its executable) and usdt probes (its libraries\' too)', async () => {
  const bin = libApp();
  await whileWaiting(bin, [], (pid) => {
    const root = `/proc/${pid}/root`;
    const all = bpfscript(['-l', '-p', String(pid)]);
    assert.is(all.stderr, '');
    const lines = all.stdout.trim().split('\n');
    assert.ok(lines.includes(`uprobe:${root}${realpathSync(bin)}:main`), all.stdout);
    assert.ok(lines.includes(`usdt:${root}${realpathSync(join(runDir(), 'libbpfs-usdt.so'))}:bpfslib:tick`), all.stdout);
    assert.ok(lines.every((l) => /^(uprobe|usdt):\/proc\//.test(l)), 'only the process\'s user-space probes');
    assert.is(all.stdout, bpftraceList(['-l', '-p', String(pid)]));
    for (const pattern of ['uprobe:*', 'usdt:*', 'usdt:*:bpfslib:*', 'usdt:*:tick', `usdt:${join(runDir(), 'libbpfs-usdt.so')}:*`, 'uprobe:ma*']) {
      const r = bpfscript(['-l', pattern, '-p', String(pid)]);
      assert.is(r.stderr, '', pattern);
      assert.ok(r.stdout.length > 0, pattern);
      assert.is(r.stdout, bpftraceList(['-l', pattern, '-p', String(pid)]), pattern);
    }
  });
});

test('a process in another mount namespace: listed and probed through its root', async () => {
  // Inside its own mount namespace the app appears at a path that does not exist out here.
  const hidden = join(runDir(), 'ns-only');
  mkdirSync(hidden, { recursive: true });
  app();
  const script = `mount --bind ${runDir()} ${hidden} && exec ${hidden}/usdt-app-O1 2 wait`;
  await whileWaiting('unshare', ['-m', '--propagation', 'private', 'sh', '-c', script], (pid) => {
    const inner = `${hidden}/usdt-app-O1`;
    const seen = `/proc/${pid}/root${inner}`;
    const r = bpfscript(['-l', 'usdt:*', '-p', String(pid)]);
    assert.is(r.stdout, `usdt:${seen}:bpfs:done\nusdt:${seen}:bpfs:guarded\nusdt:${seen}:bpfs:loop\n`);
    assert.is(r.stdout, bpftraceList(['-l', 'usdt:*', '-p', String(pid)]));
    assert.ok(bpfscript(['-l', 'uprobe:*', '-p', String(pid)]).stdout.includes(`uprobe:${seen}:work\n`));
    // An attach point naming the path as the process sees it.
    const run = bpfscript(['--dry-run', '-p', String(pid), '-e', `uprobe:${inner}:work { printf("%s\\n", probe); }`]);
    assert.is(run.stderr, '');
    assert.is(run.status, 0);
  });
});

test('usdt:GLOB::NAME attaches in every matching binary, any provider; --usdt-file-activation is accepted', () => {
  const bin = app();
  const prog = `usdt:${runDir()}/usdt-app-O*::lo* { @[probe] = count(); } usdt:${bin}::done { @done = count(); }`;
  const r = bpfscript(['-e', prog, '-c', `${bin} 3`, '--usdt-file-activation']);
  assert.is(r.stderr, '');
  assert.is(r.stdout, `Attaching 2 probes...\n\n\n@[usdt:${bin}:bpfs:loop]: 3\n@done: 1\n`);
  assert.is(r.stdout, spawnSync('bpftrace', ['-e', prog, '-c', `${bin} 3`, '--usdt-file-activation'], { encoding: 'utf8' }).stdout);
  const none = bpfscript(['-e', `usdt:${runDir()}/no-such-*::* { }`]);
  assert.is(none.status, 1);
  assert.match(none.stderr, /ERROR: no binary matches /);
});

test('usdt arguments an array element (base, index, scale) and narrow constants, as bpftrace reads them', () => {
  const bin = libApp();
  const prog = `usdt:${bin}:bpfsapp:element { printf("%d ", arg0); } usdt:${bin}:bpfsapp:consts { printf("%lld %lld\\n", arg0, arg1); }`;
  const args = ['-e', prog, '-c', `${bin} go`];
  assert.match(spawnSync('readelf', ['-n', bin], { encoding: 'utf8' }).stdout, /Arguments: -8@\(%\w+,%\w+,8\)/);
  const r = bpfscript(args);
  assert.is(r.stderr, '');
  assert.is(r.stdout, 'Attaching 2 probes...\n11 22 33 44 4092785136 240\n\n\n');
  assert.is(r.stdout, spawnSync('bpftrace', args, { encoding: 'utf8' }).stdout);
});

test.run();
