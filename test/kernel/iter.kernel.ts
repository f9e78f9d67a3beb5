// iter:task and iter:task_file run for real inside the VM (the host refuses tracing programs), checked
// against /proc on an idle process the test starts: its threads and its open fds are known. bpftrace
// 0.17 has no iter support to compare with. Reading a task's fields goes through a cast to
// struct task_struct * (BTF struct access), or as bpftrace 0.17 spells it, through `ctx->task`.

import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawn } from '../child';
import { readdirSync } from 'node:fs';
import { bpfscript } from '../helpers';

const T = '((struct task_struct *)args.task)';

/** Runs fn with the pid of an idle `sleep` (stdin/out/err on /dev/null), killed afterwards. */
function withIdle(fn: (pid: number) => void): void {
  const p = spawn('sleep', ['600'], { stdio: 'ignore' });
  try {
    fn(p.pid!);
  } finally {
    p.kill();
  }
}

test('iter:task visits every task once, then the session ends (END, maps)', () => {
  withIdle((pid) => {
    const r = bpfscript(['-e', `iter:task /${T}->tgid == $1/ { printf("%d %s\\n", ${T}->pid, ${T}->comm); @n = count(); } END { printf("end\\n"); }`, String(pid)], { timeoutMs: 240_000 });
    assert.is(r.stderr, '');
    assert.is(r.status, 0);
    assert.is(r.stdout, `Attaching 2 probes...\n${pid} sleep\nend\n\n\n@n: 1\n`);
  });
});

test('iter:task with bpftrace 0.17\'s spelling: ctx->task->pid, typed from BTF without a cast', () => {
  withIdle((pid) => {
    const r = bpfscript(['-e', 'iter:task /ctx->task->tgid == $1/ { printf("%d %s\\n", ctx->task->pid, ctx->task->comm); }', String(pid)], { timeoutMs: 240_000 });
    assert.is(r.stderr, '');
    assert.is(r.status, 0);
    assert.is(r.stdout, `Attaching 1 probe...\n${pid} sleep\n\n\n`);
  });
});

test('iter:task counts the tasks /proc shows', () => {
  const tasks = () => readdirSync('/proc').filter((d) => /^\d+$/.test(d)).reduce((n, d) => {
    try {
      return n + readdirSync(`/proc/${d}/task`).length;
    } catch {
      return n; // exited meanwhile
    }
  }, 0);
  const before = tasks();
  const r = bpfscript(['-e', 'iter:task { @n = count(); }'], { timeoutMs: 240_000 });
  const after = tasks();
  assert.is(r.stderr, '');
  const n = Number(/^@n: (\d+)$/m.exec(r.stdout)?.[1]);
  // Not exact: bpfscript's own process and its threads exist only while it runs, and the kernel's
  // worker threads come and go. They are a handful next to the whole count.
  assert.ok(Math.abs(n - before) <= 16 && Math.abs(n - after) <= 16, `iter ${n}, /proc ${before} then ${after}`);
});

test('iter:task_file: args.fd of each open file, as /proc/PID/fd lists them', () => {
  // Each fd sums to itself, so the map prints in fd order (maps print sorted by value).
  withIdle((pid) => {
    const fds = readdirSync(`/proc/${pid}/fd`).map(Number).sort((a, b) => a - b);
    const r = bpfscript(['-e', `iter:task_file /${T}->tgid == $1/ { @fd[args.fd] = sum(args.fd); @files = sum(args.file != 0); }`, String(pid)], { timeoutMs: 240_000 });
    assert.is(r.stderr, '');
    assert.is(r.stdout, `Attaching 1 probe...\n\n\n${fds.map((f) => `@fd[${f}]: ${f}\n`).join('')}@files: ${fds.length}\n`);
  });
});

test.run();
