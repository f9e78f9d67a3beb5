// -l and -lv, compared with bpftrace 0.17 where it lists the same thing, and with readelf/nm for
// the probes of a binary.

import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { execFileSync, spawnSync } from './child';
import { existsSync, mkdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT, bpfscript, dynamicFixture } from './helpers';

const app = (): string => dynamicFixture('usdt-app', '-O1');

const bpftraceList = (args: string[]) => spawnSync('bpftrace', args, { encoding: 'utf8' }).stdout;

test('-l tracepoint patterns list what bpftrace lists', () => {
  for (const pattern of ['tracepoint:syscalls:sys_enter_openat*', 'tracepoint:sched:*', 't:syscalls:sys_exit_getp*']) {
    const r = bpfscript(['-l', pattern]);
    assert.is(r.status, 0, r.stderr);
    assert.ok(r.stdout.length > 0, pattern);
    assert.is(r.stdout, bpftraceList(['-l', pattern]), pattern);
  }
  assert.is(bpfscript(['-l', 'tracepoint:syscalls:sys_enter_openat*']).stdout, 'tracepoint:syscalls:sys_enter_openat\ntracepoint:syscalls:sys_enter_openat2\n');
  // A bare word searches every type (bpftrace 0.17 also prints "software:WORD:" and
  // "hardware:WORD:" lines for it, which name no probe).
  const bare = bpfscript(['-l', 'sys_enter_opena*']);
  assert.is(bare.stdout, 'tracepoint:syscalls:sys_enter_openat\ntracepoint:syscalls:sys_enter_openat2\n');
  assert.is(bare.stdout, bpftraceList(['-l', 'sys_enter_opena*']).split('\n').filter((l) => l.startsWith('tracepoint:')).join('\n') + '\n');
});

test('-l lists every tracepoint bpftrace lists', () => {
  assert.is(bpfscript(['-l', 'tracepoint:*']).stdout, bpftraceList(['-l', 'tracepoint:*']));
});

test('-lv shows tracepoint arguments as bpftrace does', () => {
  const r = bpfscript(['-lv', 'tracepoint:syscalls:sys_enter_openat']);
  assert.is(r.stdout, 'tracepoint:syscalls:sys_enter_openat\n    int __syscall_nr\n    int dfd\n    const char * filename\n    int flags\n    umode_t mode\n');
  assert.is(r.stdout, bpftraceList(['-lv', 'tracepoint:syscalls:sys_enter_openat']));
  assert.is(bpfscript(['-lv', 'tracepoint:sched:sched_switch']).stdout, bpftraceList(['-lv', 'tracepoint:sched:sched_switch']));
});

test('-l uprobe and usdt probes of a binary, as bpftrace lists them', () => {
  const bin = app();
  for (const pattern of [`uprobe:${bin}:*`, `uprobe:${bin}:wo*`, `usdt:${bin}:*`, `usdt:${bin}:bpfs:lo*`]) {
    const r = bpfscript(['-l', pattern]);
    assert.is(r.stderr, '');
    assert.ok(r.stdout.length > 0, pattern);
    assert.is(r.stdout, bpftraceList(['-l', pattern]), pattern);
  }
  assert.is(bpfscript(['-l', `usdt:${bin}:*`]).stdout, `usdt:${bin}:bpfs:done\nusdt:${bin}:bpfs:guarded\nusdt:${bin}:bpfs:loop\n`);
  assert.is(bpfscript(['-lv', `usdt:${bin}:bpfs:loop`]).stdout, `usdt:${bin}:bpfs:loop\n    arg0: -8@%rbx\n    arg1: -4@%eax\n    arg2: -2@%dx\n`);
});

test('-l uprobe of a library named like the loader names it', () => {
  const r = bpfscript(['-l', 'uprobe:libc:getppi*']);
  assert.is(r.stdout, 'uprobe:/lib/x86_64-linux-gnu/libc.so.6:getppid\n');
});

test('-l software and hardware events, rawtracepoints when asked', () => {
  const sw = bpfscript(['-l', 'software:*']).stdout.split('\n');
  assert.ok(sw.includes('software:cpu-clock:') && sw.includes('software:page-faults:') && sw.includes('software:context-switches:'), sw.join('\n'));
  assert.ok(bpfscript(['-l', 'hardware:*']).stdout.includes('hardware:cpu-cycles:\n'));
  assert.is(bpfscript(['-l', 'rawtracepoint:sys_enter']).stdout, 'rawtracepoint:sys_enter\n');
  assert.is(bpfscript(['-l', 'rawtracepoint:sys_ente?']).stdout, 'rawtracepoint:sys_enter\n');
});

test('-l iter:* lists the iterators bpfscript runs; a plain -l leaves them out, as bpftrace 0.17 does', () => {
  assert.is(bpfscript(['-l', 'iter:*']).stdout, 'iter:task\niter:task_file\n');
  assert.is(bpfscript(['-l', 'iter:task_f*']).stdout, 'iter:task_file\n');
  assert.not.match(bpfscript(['-l']).stdout, /^iter:/m);
});

test('-l without kernel function access warns once and still lists the rest', () => {
  // The full list runs to megabytes (every BTF function as kfunc/kretfunc): past spawnSync's default buffer.
  const r = spawnSync(process.execPath, [join(ROOT, 'bin', 'bpfscript'), '-l'], { encoding: 'utf8', maxBuffer: 1 << 28 });
  assert.is(r.status, 0);
  assert.is(
    r.stderr,
    'WARNING: could not read kernel functions from /sys/kernel/tracing/available_filter_functions: operation not permitted\n',
  );
  assert.ok(r.stdout.includes('tracepoint:syscalls:sys_enter_openat\n'));
  assert.not.ok(r.stdout.includes('rawtracepoint:'), 'plain -l leaves raw tracepoints out, as bpftrace does');
});

test("a pattern with a character no attach point has is refused with bpftrace's words", () => {
  const r = bpfscript(['-l', '\\n']);
  assert.is(r.status, 1);
  assert.is(r.stdout, '');
  assert.match(r.stderr, /^ERROR: invalid character '\\'\n/);
});

test.run();
