// reg() in kprobes and kretprobes attached for real (inside the VM): registers read from pt_regs
// agree with the argument and return-value builtins on a workload whose reads are known exactly;
// bpftrace 0.17 prints the same.

import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { bpftrace, traceCommand, reads } from './helpers';


test('kprobe reg("dx") is arg2 and kretprobe reg("ax") is retval: as bpftrace', () => {
  const script = 'kprobe:vfs_read /pid == cpid/ { @[reg("dx") == arg2, reg("dx")] = count(); } kretprobe:vfs_read /pid == cpid/ { @r[reg("ax") == retval, reg("ax")] = count(); }';
  const want = 'Attaching 2 probes...\n\n\n@[1, 777]: 1\n@[1, 12345]: 3\n@r[1, 777]: 1\n@r[1, 12345]: 3\n';
  const r = traceCommand(script, reads());
  assert.is(r.stderr, '');
  assert.is(r.stdout, want);
  assert.is(bpftrace(script, reads()).stdout, want);
});

test('kprobe len() and strcontains() run in a real kprobe', () => {
  const r = traceCommand('kprobe:vfs_read /pid == cpid/ { @[arg2] = arg2; @n = len(@); @c = strcontains(comm, "kread"); }', reads());
  assert.is(r.stderr, '');
  assert.is(r.stdout, 'Attaching 1 probe...\n\n\n@[777]: 777\n@[12345]: 12345\n@c: 1\n@n: 2\n');
});

test.run();
