// Kernel symbol functions in the kernel: kaddr("name") against bpftrace 0.17 and /proc/kallsyms.

import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from './child';
import { readFileSync } from 'node:fs';
import { bpfscript, leakedPrograms } from './helpers';

test.after.each(() => {
  assert.equal(leakedPrograms(), []);
});

test('kaddr("vfs_read") is its /proc/kallsyms address, as bpftrace prints it', () => {
  const prog = 'BEGIN { printf("%lx\\n", kaddr("vfs_read")); exit(); }';
  const ours = bpfscript(['-e', prog]);
  assert.is(ours.stderr, '');
  const theirs = spawnSync('bpftrace', ['-e', prog], { encoding: 'utf8' });
  assert.is(ours.stdout, theirs.stdout);
  const addr = /^([0-9a-f]+) T vfs_read$/m.exec(readFileSync('/proc/kallsyms', 'utf8'))![1];
  assert.is(ours.stdout, `Attaching 1 probe...\n${addr}\n\n\n`);
});

test('kaddr of an unknown symbol is an error at the string', () => {
  const r = bpfscript(['-e', 'BEGIN { @ = kaddr("no_such_symbol_x"); }']);
  assert.is(r.status, 1);
  assert.match(r.stderr, 'stdin:1:19-37: ERROR: Failed to resolve kernel symbol: no_such_symbol_x');
});

test.run();
