// override() and signal() in kprobes, attached for real inside the VM: signal() kills the traced
// command; override(-42) on the getppid system call makes it fail with errno 42 where the kernel
// has CONFIG_BPF_KPROBE_OVERRIDE (Debian's 6.1 and 6.12 do not: there the verifier refuses it).

import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from '../child';
import { readFileSync } from 'node:fs';
import { release } from 'node:os';
import { kfixture, traceCommand } from './helpers';

/** bpf_override_return exists only with CONFIG_BPF_KPROBE_OVERRIDE (Debian's kernels lack it). */
function hasOverride(): boolean {
  try {
    return /^CONFIG_BPF_KPROBE_OVERRIDE=y$/m.test(readFileSync(`/boot/config-${release()}`, 'utf8'));
  } catch {
    return false;
  }
}

test('override(-42) in a kprobe on __x64_sys_getppid: errno 42 as bpftrace, or a clear refusal', () => {
  const script = 'kprobe:__x64_sys_getppid /pid == cpid/ { override(-42); }';
  const r = traceCommand(script, kfixture('getppid-errno'), ['--unsafe']);
  if (!hasOverride()) {
    // The verifier is what refuses it: the program got that far, and the error names the helper.
    assert.is(r.status, 1);
    assert.match(r.stderr, /ERROR: the BPF verifier rejected probe_0: .*bpf_override_return/);
    return;
  }
  assert.is(r.stderr, '');
  assert.is(r.status, 0);
  assert.match(r.stdout, 'ret -1 errno 42\n');
  const bt = spawnSync('bpftrace', ['--unsafe', '-e', script, '-c', kfixture('getppid-errno')], { encoding: 'utf8', timeout: 240_000 });
  assert.is(r.stdout, bt.stdout);
});

test('signal("SIGKILL") in a kprobe kills the traced command before it prints', () => {
  const r = traceCommand('kprobe:__x64_sys_getppid /pid == cpid/ { signal("SIGKILL"); }', kfixture('getppid-errno'), ['--unsafe']);
  assert.is(r.stderr, '');
  assert.not.match(r.stdout, 'ret ');
});

test.run();
