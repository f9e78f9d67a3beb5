// iter:task and iter:task_file on this host: the compiler side (sections, the context layout read
// from the kernel's BTF, the skipped NULL call) and the refusal, since this kernel refuses every BPF
// tracing program and iterators are tracing programs. They run for real in the kernel lane
// (test/kernel/iter.kernel.ts), checked against /proc.

import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { bpfscript } from './helpers';
import { iterContext } from '../src/probes/iter';
import { tracingRefused } from '../common/kernel/features';
import { useLibbpfFeatureProbes } from '../runtime/feature-probes';

// The feature probes asked here load through the runtime's libbpf, as the CLI's do.
useLibbpfFeatureProbes();

test('the iterator context layouts come from BTF (struct bpf_iter__task, bpf_iter__task_file)', () => {
  const task = iterContext('task')!;
  assert.equal(task.fields.map((f) => [f.name, f.offset, f.size]), [['task', 8, 8]]);
  const file = iterContext('task_file')!;
  assert.equal(file.fields.map((f) => [f.name, f.offset, f.size, f.signed]), [
    ['task', 8, 8, false],
    ['fd', 16, 4, false],
    ['file', 24, 8, false],
  ]);
  assert.is(file.fields[0].ctype, 'struct task_struct *');
});

test('iter programs go in iter/OBJECT sections and skip the call without an object', () => {
  const r = bpfscript(['-d', 'types', '-e', 'iter:task_file { printf("%d\\n", args.fd); }']);
  assert.is(r.stderr, '');
  assert.match(r.stdout, /probe_0 +iter:task_file +section iter\/task_file\n/);
  const ir = bpfscript(['-d', 'ir', '-e', 'it:task { @n = count(); }']);
  assert.is(ir.stderr, '');
  assert.match(ir.stdout, /section "iter\/task"/);
  // the guard: the task pointer (offset 8) is compared with 0 before anything else runs
  assert.match(ir.stdout, /%(\d+) = getelementptr i8, ptr %0, i64 8\b[\s\S]*= load i64, ptr %\1\b[\s\S]*icmp eq i64 %\w+, 0/);
});

test('iter attach-point errors name the iterators there are', () => {
  let r = bpfscript(['-e', 'iter:bogus { @n = count(); }']);
  assert.is(r.status, 1);
  assert.is(r.stderr, 'stdin:1:1-11: ERROR: iter:bogus is not supported\niter:bogus { @n = count(); }\n~~~~~~~~~~\nHINT: iterators bpfscript runs: task, task_file\n');
  r = bpfscript(['-e', 'iter:task* { @n = count(); }']);
  assert.match(r.stderr, /ERROR: iter probes cannot use wildcards\n[\s\S]*HINT: name one iterator: task, task_file\n/);
  r = bpfscript(['-e', 'iter:task:x { @n = count(); }']);
  assert.match(r.stderr, /ERROR: iter probe must be iter:OBJECT, got iter:task:x\n/);
  r = bpfscript(['-e', 'iter:task { @n = args.nope; }']);
  assert.is(r.status, 1);
});

test('this kernel refuses iterators: one clear error before anything is attached', () => {
  if (tracingRefused() === null) return; // a kernel that takes them runs them (kernel lane)
  const r = bpfscript(['-e', 'BEGIN { printf("begin\\n"); } iter:task { @n = count(); }']);
  assert.is(r.status, 1);
  assert.is(r.stdout, '');
  assert.is(
    r.stderr,
    'ERROR: cannot attach iter:task: this kernel refuses BPF iterator programs (BPF tracing programs fail to load with EPERM)\n' +
      'HINT: read the same objects from /proc (tasks: /proc/*/status, open files: /proc/*/fd), or run on a kernel that allows BPF tracing programs\n',
  );
});

test.run();
