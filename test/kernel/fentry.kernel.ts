// kprobes attached through their fentry/fexit twins by default (issue 16), for real inside the VM:
// -v names the choice, --no-fentry forces the kprobes, and the output is the same either way.
// Both runs share one compile (the twin is chosen at load, so the cached object serves both).

import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { reads, traceCommand } from './helpers';

const SCRIPT = 'kprobe:vfs_read /pid == cpid/ { @[probe, func, arg2] = count(); } kretprobe:vfs_read /pid == cpid/ { @r[retval] = count(); }';
const WANT = 'Attaching 2 probes...\n\n\n@[kprobe:vfs_read, vfs_read, 777]: 1\n@[kprobe:vfs_read, vfs_read, 12345]: 3\n@r[777]: 1\n@r[12345]: 3\n';

test('kprobe and kretprobe attach as fentry and fexit by default, and as kprobes with --no-fentry: same output', () => {
  // The lane runs with BPFSCRIPT_CACHE=0 (host-built entries carry the host's types); a cache made
  // here, in the guest, is this kernel's.
  const dir = mkdtempSync(join(tmpdir(), 'bpfscript-fentry-'));
  const env = { BPFSCRIPT_CACHE: '1', BPFSCRIPT_CACHE_DIR: dir };
  try {
    const twin = traceCommand(SCRIPT, reads(), ['-v'], env);
    assert.is(twin.stderr, 'kretprobe:vfs_read attached as fexit (cheaper than a kretprobe; --no-fentry forces the kretprobe)\n'
      + 'kprobe:vfs_read attached as fentry (cheaper than a kprobe; --no-fentry forces the kprobe)\n');
    assert.is(twin.stdout, WANT);
    assert.is(twin.status, 0);
    const kprobe = traceCommand(SCRIPT, reads(), ['-v', '--no-fentry'], env);
    assert.is(kprobe.stderr, 'kretprobe:vfs_read: kretprobe\nkprobe:vfs_read: kprobe\n');
    assert.is(kprobe.stdout, WANT);
    assert.is(kprobe.status, 0);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test.run();
