// Kernel structs from BTF in the kernel: `->` chains on curtask, casts to `struct X *`, char arrays
// as strings, nested structs by value, bitfields, enum constants, sizeof of kernel types, typed
// kfunc pointer arguments. Checked against /proc and, where it prints the same, bpftrace 0.17.

import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from './child';
import { readFileSync } from 'node:fs';
import { bpfscript, fixture, leakedPrograms, sameAsBpftrace } from './helpers';


test.after.each(() => {
  assert.equal(leakedPrograms(), []);
});

test('curtask -> chains agree with /proc: pid, tgid, parent, comm', () => {
  // BEGIN runs in bpfscript's own process, whose parent is this test runner.
  const r = bpfscript([
    '-e',
    'BEGIN { printf("%d %d %d %s|%s|%s\\n", curtask->pid == pid, curtask->tgid == pid, curtask->real_parent->tgid, curtask->real_parent->comm, curtask->comm, ((struct task_struct *)curtask)->comm); $t = curtask; printf("%d\\n", $t->real_parent->real_parent->tgid); exit(); }',
  ]);
  assert.is(r.stderr, '');
  const myComm = readFileSync('/proc/self/comm', 'utf8').trim();
  const ppid = readFileSync('/proc/self/stat', 'utf8').split(') ')[1].split(' ')[1];
  assert.is(r.stdout, `Attaching 1 probe...\n1 1 ${process.pid} ${myComm}|node|node\n${ppid}\n\n\n`);
});

test('casts of integers to struct pointers, nested structs by value, bitfields, enum constants, sizeof: as bpftrace', () => {
  const out = sameAsBpftrace(
    'BEGIN { $p = (uint64)curtask; printf("%d %d %d %d %d\\n", sizeof(struct task_struct), ((struct task_struct *)$p)->tgid == pid, curtask->mm->mm_users.counter > 0, curtask->in_execve, BPF_MAP_TYPE_HASH); exit(); }',
  );
  assert.match(out, /^Attaching 1 probe...\n\d+ 1 1 0 1\n\n\n$/);
});

test('a tracepoint reads the traced task: comm, tgid, a struct member of its parent', () => {
  const w = fixture('syscalls');
  const out = sameAsBpftrace(
    'tracepoint:syscalls:sys_enter_getppid /pid == cpid/ { @[curtask->comm, curtask->tgid == cpid, curtask->real_parent->tgid == curtask->parent->tgid, curtask->se.on_rq] = count(); }',
    ['-c', `${w} 7`],
  );
  assert.is(out, 'Attaching 1 probe...\n\n\n@[syscalls, 1, 1, 1]: 7\n');
});

test('kfunc pointer arguments are typed from BTF: args.file->f_path.dentry->d_name.name', () => {
  const r = bpfscript(['--emit-elf', '/dev/null', '-e', 'kfunc:vfs_read { @[str(args.file->f_path.dentry->d_name.name)] = count(); } kfunc:vfs_open { printf("%s\\n", str(args.path->dentry->d_name.name)); }']);
  assert.is(r.stderr, '');
  assert.is(r.status, 0);
});

test('#include lines are satisfied from BTF', () => {
  const r = bpfscript(['-e', '#include <linux/sched.h>\nBEGIN { printf("%d\\n", curtask->pid == pid); exit(); }']);
  assert.is(r.stderr, '');
  assert.is(r.stdout, 'Attaching 1 probe...\n1\n\n\n');
});

test('macros of included headers: TASK_RUNNING, AF_INET, AF_INET6; unknown without the #include', () => {
  let r = bpfscript(['-e', '#include <linux/sched.h>\n#include <net/sock.h>\nBEGIN { printf("%d %d %d\\n", TASK_RUNNING, AF_INET, AF_INET6); exit(); }']);
  assert.is(r.stderr, '');
  assert.is(r.stdout, 'Attaching 1 probe...\n0 2 10\n\n\n');
  r = bpfscript(['-e', 'BEGIN { @ = AF_INET; }']);
  assert.match(r.stderr, "ERROR: Unknown identifier: 'AF_INET'");
});

test('member errors: unknown member with a hint, unknown struct', () => {
  let r = bpfscript(['-e', 'BEGIN { @ = curtask->pidd; }']);
  assert.is(r.status, 1);
  assert.match(r.stderr, "stdin:1:22-26: ERROR: struct task_struct has no member named 'pidd'");
  assert.match(r.stderr, "HINT: did you mean 'pid'?");
  r = bpfscript(['-e', 'BEGIN { @ = ((struct no_such_struct *)0)->x; }']);
  assert.match(r.stderr, "ERROR: unknown type 'struct no_such_struct'");
  // Structs by value are copied up to 256 bytes (test/struct-values.test.ts); bigger ones are refused.
  const big = 'struct big { long x[40]; }; struct w { struct big b; };';
  r = bpfscript(['-e', `${big} BEGIN { $s = ((struct w *)curtask)->b; }`]);
  assert.match(r.stderr, 'ERROR: struct big (320 bytes) cannot be assigned to a variable');
  r = bpfscript(['-e', `${big} BEGIN { @s = ((struct w *)curtask)->b; }`]);
  assert.match(r.stderr, 'ERROR: struct big (320 bytes) cannot be stored in a map');
});

test.run();
