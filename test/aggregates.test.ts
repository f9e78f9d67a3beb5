// Every aggregation, in the kernel, against bpftrace 0.17's output for the same program.

import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from './child';
import { bpfscript, fixture, leakedPrograms, sameAsBpftrace } from './helpers';


test.after.each(() => {
  assert.equal(leakedPrograms(), []);
});

test('hist: negative, zero, one, powers of two, keyed', () => {
  const out = sameAsBpftrace('BEGIN { @h = hist(0); @h = hist(1); @h = hist(5); @h = hist(1000); @h = hist(-3); @hk["a"] = hist(7); @hk["b"] = hist(2147483648); @hk["b"] = hist(3); exit(); }');
  assert.match(out, /\[512, 1K\)\s+1 \|@+\|/);
  assert.match(out, /\[2G, 4G\)\s+1 \|/);
});

test('lhist: below min, inside, at and above max', () => {
  sameAsBpftrace('BEGIN { @l = lhist(5, 0, 10, 2); @l = lhist(50, 0, 10, 2); @l = lhist(3, 0, 10, 2); @l = lhist(0, 0, 10, 2); @l = lhist(10, 0, 10, 2); exit(); }');
});

test('min, max, avg, stats', () => {
  const out = sameAsBpftrace('BEGIN { @mn = min(-4); @mn = min(7); @mx = max(3); @mx = max(9); @a = avg(3); @a = avg(6); @s = stats(10); @s = stats(20); exit(); }');
  assert.match(out, /@s: count 2, average 15, total 30\n/);
});

test('an aggregation argument with a side effect runs on every path: a while loop over avg($a++) ends, as in bpftrace', () => {
  sameAsBpftrace('BEGIN { $a = 0; while ($a <= 100) { @ = avg($a++) } exit(); }');
  // The same inside one loop for every aggregation; the buckets' clamps survive LLVM's range proofs.
  sameAsBpftrace('BEGIN { $a = 0; while ($a <= 10) { @h = hist($a++); @l = lhist($a, 0, 20, 5); @s = stats($a); @m = max($a); @n = min($a); @u = sum($a++) } exit(); }');
});

test('aggregations over a real workload: exact counts per CPU summed', () => {
  const w = fixture('syscalls');
  const out = sameAsBpftrace(
    'tracepoint:syscalls:sys_enter_getppid /pid == cpid/ { @c = count(); @s = sum(2); @h = hist(3); @l = lhist(1, 0, 4, 1); @a = avg(10); @mx = max(pid == cpid); }',
    ['-c', `${w} 2000`],
  );
  assert.match(out, /@c: 2000\n/);
  assert.match(out, /@s: 4000\n/);
  assert.match(out, /\[2, 4\)\s+2000 \|/);
});

test.run();
