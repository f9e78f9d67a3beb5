// kfunc/kretfunc (fentry/fexit) attached for real inside the VM: `args` typed from BTF, retval,
// probe names as bpftrace 0.17 prints them.

import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { attachers } from '../../runtime/attach';
import { tracingRefused } from '../../common/kernel/features';
import { bpftrace, reads, sameOnReads, traceCommand } from './helpers';
import { useLibbpfFeatureProbes } from '../../runtime/feature-probes';

// The feature probes asked here load through the runtime's libbpf, as the CLI's do.
useLibbpfFeatureProbes();



test('this kernel takes tracing programs: kfunc is available', () => {
  assert.is(tracingRefused(), null);
  assert.is(attachers.get('kfunc')!.unavailable!(), undefined);
});

test('kfunc args.count, typed size_t from BTF', () => {
  sameOnReads('kfunc:vfs_read /pid == cpid/ { @[args.count] = count(); }', 'Attaching 1 probe...\n\n\n@[777]: 1\n@[12345]: 3\n',
    'kfunc:vfs_read /pid == cpid/ { @[args->count] = count(); }');
});

test('kretfunc sees the arguments and the return value', () => {
  sameOnReads('fexit:vfs_read /pid == cpid/ { @[args.count, retval] = count(); }', 'Attaching 1 probe...\n\n\n@[777, 777]: 1\n@[12345, 12345]: 3\n');
});

test('an int argument is signed (openat passes AT_FDCWD, -100)', () => {
  // do_sys_openat2(int dfd, ...): do_sys_open itself is inlined into the syscall on this kernel.
  sameOnReads('kfunc:do_sys_openat2 /pid == cpid/ { @[args.dfd] = count(); }', 'Attaching 1 probe...\n\n\n@[-100]: 1\n');
});

test('probe names carry the module, as bpftrace 0.17 prints them', () => {
  sameOnReads('f:vfs_read /pid == cpid/ { @[probe] = count(); }', 'Attaching 1 probe...\n\n\n@[kfunc:vmlinux:vfs_read]: 4\n');
});

test('under --compat 0.26 they are fentry/fexit, in `probe` too (bpftrace 0.22+)', () => {
  const r = traceCommand('fentry:vfs_read /pid == cpid/ { @[probe] = count(); } kretfunc:vfs_read /pid == cpid/ { @[probe] = count(); }', reads(), ['--compat', '0.26']);
  assert.is(r.stderr, 'Attached 2 probes\n');
  assert.match(r.stdout, /@\[fentry:vmlinux:vfs_read\]: 4\n/);
  assert.match(r.stdout, /@\[fexit:vmlinux:vfs_read\]: 4\n/);
});

test('kfunc wildcards attach to every match', () => {
  sameOnReads('kfunc:vfs_rea* /pid == cpid/ { @[probe] = count(); }', 'Attaching 3 probes...\n\n\n@[kfunc:vmlinux:vfs_readlink]: 1\n@[kfunc:vmlinux:vfs_read]: 4\n');
});

test.run();
