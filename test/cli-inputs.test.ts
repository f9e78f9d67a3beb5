// How the command line takes its inputs and where the output goes, against bpftrace 0.17: the
// program on stdin (`-`), -p validation, running as a user who is not root, -o FILE, and a machine
// where tracefs is not mounted.

import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from './child';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BIN, bpfscript } from './helpers';

function run(cmd: string, args: string[], input?: string) {
  const r = spawnSync(cmd, args, { encoding: 'utf8', timeout: 60_000, input });
  return { stdout: r.stdout, stderr: r.stderr, status: r.status };
}

const ours = (args: string[], input?: string) => run(process.execPath, [BIN, ...args], input);
const theirs = (args: string[], input?: string) => run('bpftrace', args, input);

/** bpftrace's stderr without its RLIMIT_MEMLOCK complaint, which this container provokes. */
const theirErrors = (stderr: string) => stderr.split('\n').filter((l) => l.includes('ERROR') && !l.includes('RLIMIT_MEMLOCK'));

test('`-` reads the program from stdin, with its arguments after it', () => {
  const prog = 'BEGIN { printf("from stdin %s\\n", str($1)); exit(); }';
  const a = ours(['-', 'hello'], prog);
  const b = theirs(['-', 'hello'], prog);
  assert.is(a.status, 0, a.stderr);
  assert.is(a.stdout, b.stdout);
  assert.match(a.stdout, /from stdin hello\n/);
  const bad = ours(['-'], 'BEGIN { foo(); }');
  assert.is(bad.status, 1);
  assert.is(bad.stderr.split('\n')[0], theirErrors(theirs(['-'], 'BEGIN { foo(); }').stderr)[0]);
});

test('-p: a decimal pid in range, worded as bpftrace words it', () => {
  for (const p of ['abc', '0x1', '1x', '1e3', '0', '-5', '99999999']) {
    const a = ours(['-p', p, '-e', 'BEGIN { exit(); }']);
    const b = theirs(['-p', p, '-e', 'BEGIN { exit(); }']);
    assert.is(a.status, 1, p);
    assert.is(a.stdout, '', p);
    assert.equal(a.stderr.split('\n').filter(Boolean), theirErrors(b.stderr), p);
  }
  // A pid in range that no process has, and one that is there.
  assert.match(ours(['-p', '4000000', '-e', 'BEGIN { exit(); }']).stderr, /^ERROR: -p 4000000: no such process\n/);
  const ok = ours(['-p', `+${process.pid}`, '-e', 'BEGIN { exit(); }']);
  assert.is(ok.status, 0, ok.stderr);
});

test('not root: -l and a tracepoint program say "must run as root", exit 1, like bpftrace', () => {
  const nobody = (cmd: string, args: string[]) => run('setpriv', ['--reuid=65534', '--regid=65534', '--clear-groups', cmd, ...args]);
  for (const args of [['-l', 'tracepoint:syscalls:sys_enter_openat'], ['-e', 'tracepoint:syscalls:sys_enter_openat { exit(); }']]) {
    const a = nobody(process.execPath, [BIN, ...args]);
    const b = nobody('bpftrace', args);
    assert.is(b.status, 1, 'bpftrace refuses');
    assert.match(b.stderr, /root/);
    assert.is(a.status, 1, args.join(' '));
    assert.is(a.stdout, '');
    assert.match(a.stderr, /^ERROR: bpfscript must run as root to (list probes|load BPF programs)\n/, args.join(' '));
  }
});

test('-o FILE: the output goes to the file, the two newlines before the maps to stdout, as bpftrace', () => {
  const dir = mkdtempSync(join(tmpdir(), 'bpfscript-o-'));
  try {
    for (const f of ['text', 'json']) {
      const prog = 'BEGIN { @a = 1; printf("x\\n"); exit(); } END { printf("end\\n"); }';
      const a = ours(['-f', f, '-o', join(dir, 'ours'), '-e', prog]);
      const b = theirs(['-f', f, '-o', join(dir, 'theirs'), '-e', prog]);
      assert.is(a.status, 0, a.stderr);
      assert.is(a.stdout, b.stdout, f);
      assert.is(a.stdout, '\n\n');
      assert.is(readFileSync(join(dir, 'ours'), 'utf8'), readFileSync(join(dir, 'theirs'), 'utf8'), f);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('tracefs not mounted: bpfscript mounts it (in a private mount namespace)', () => {
  // unshare -m makes the namespace's mounts private: unmounting there leaves the machine's alone.
  const script = `umount /sys/kernel/tracing 2>/dev/null; umount /sys/kernel/debug/tracing 2>/dev/null;
    test -e /sys/kernel/tracing/events && echo "still mounted";
    "$0" "$1" --no-cache -e 'tracepoint:syscalls:sys_enter_getppid { exit(); } BEGIN { printf("attached\\n"); }' -c "/usr/bin/sh -c :"; echo "status $?";
    test -e /sys/kernel/tracing/events && echo "mounted now"`;
  const r = run('unshare', ['-m', '--propagation', 'private', 'sh', '-c', script, process.execPath, BIN]);
  assert.not.match(r.stdout, /still mounted/);
  assert.match(r.stdout, /attached\n/, r.stderr);
  assert.match(r.stdout, /status 0\nmounted now\n/, r.stderr);
  assert.ok(bpfscript(['-e', 'tracepoint:syscalls:sys_enter_getppid { exit(); }', '--dry-run']).status === 0, "the machine's tracefs is still there");
});

test.run();
