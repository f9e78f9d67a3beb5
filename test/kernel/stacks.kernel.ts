// kstack and ksym where kprobes attach (inside the VM): the stack of a kprobe starts at the probed
// function itself, symbolised from /proc/kallsyms; bpftrace 0.17 prints the same.

import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { bpftrace, traceCommand, reads } from './helpers';


test('kprobe kstack: vfs_read first, then its callers down to the syscall entry, as bpftrace prints it', () => {
  // Only the one 777-byte read: one stack, counted once.
  const script = 'kprobe:vfs_read /pid == cpid && arg2 == 777/ { @[kstack] = count(); @f[ksym(reg("ip"))] = count(); }';
  const r = traceCommand(script, reads());
  assert.is(r.stderr, '', script);
  assert.is(r.status, 0);
  assert.match(r.stdout, /\n@\[\n {4}vfs_read\+\d+\n {4}ksys_read\+\d+\n(?: {4}\w+\+\d+\n)*\]: 1\n/);
  assert.match(r.stdout, /\n {4}entry_SYSCALL_64_after_hwframe\+\d+\n\]: 1\n/);
  assert.match(r.stdout, '\n@f[vfs_read]: 1\n');
  assert.is(bpftrace(script, reads()).stdout, r.stdout, 'bpftrace prints the same');
});

test('kstack(perf, 2) in a kretprobe: addresses and symbols of the two innermost frames', () => {
  const r = traceCommand('kretprobe:vfs_read /pid == cpid && retval == 777/ { @[kstack(perf, 2)] = count(); }', reads());
  assert.is(r.stderr, '');
  assert.match(r.stdout, /\n@\[\n\t[0-9a-f]{16} \w+\+\d+\n\t[0-9a-f]{16} \w+\+\d+\n\]: 1\n/);
});

test.run();
