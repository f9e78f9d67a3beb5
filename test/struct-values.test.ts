// Structs and integer arrays as values: print(), map values and keys, variables, tuples, text and
// json, compared with bpftrace 0.17. A script struct read through a uprobe pointer (the cstructs
// fixture) and kernel structs reached from curtask.

import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { bpfscript, fixture, leakedPrograms, sameAsBpftrace } from './helpers';

test.after(() => {
  assert.equal(leakedPrograms(), []);
});

// The fixture's struct rec up to `name` (the bitfields after it print differently in bpftrace 0.17,
// which does not mask them: see spec.md).
const REC = 'struct inner { char tag; long big; }; struct rec { char c; short s; int i; long l; struct inner in; int arr[3]; char name[8]; };';

test('script struct and int array through a uprobe pointer: print, map values, map keys, text and json', () => {
  const w = fixture('cstructs');
  const prog = `${REC} uprobe:${w}:take { $r = (struct rec *)arg0; print($r->in); print($r->arr); @s = $r->in; @a = $r->arr; @k[$r->in] = 1; @t = (7, $r->in); }`;
  const text = sameAsBpftrace(prog, ['-c', w]);
  assert.is(
    text,
    'Attaching 1 probe...\n{ .tag = 113, .big = 1099511627776 }\n[10,20,30]\n\n\n@a: [10,20,30]\n@k[{.tag=113,.big=1099511627776}]: 1\n@s: { .tag = 113, .big = 1099511627776 }\n@t: (7, { .tag = 113, .big = 1099511627776 })\n',
  );
  const json = sameAsBpftrace(prog, ['-c', w, '-f', 'json']);
  assert.match(json, '{"type": "value", "data": { "tag": 113, "big": 1099511627776 }}\n{"type": "value", "data": [10,20,30]}\n');
});

test('a whole struct with a nested struct, an int array and a char array; in a variable', () => {
  const w = fixture('cstructs');
  const out = sameAsBpftrace(
    `${REC} struct whole { struct rec r; }; uprobe:${w}:take { $x = ((struct whole *)arg0)->r; print($x); @m[1] = ((struct whole *)arg0)->r; }`,
    ['-c', w],
  );
  assert.match(out, '{ .c = 65, .s = -2, .i = 123456, .l = -9876543210, .in = { .tag = 113, .big = 1099511627776 }, .arr = [10,20,30], .name = bpfscr }\n');
  sameAsBpftrace(`${REC} struct whole { struct rec r; }; uprobe:${w}:take { print(((struct whole *)arg0)->r); }`, ['-c', w, '-f', 'json']);
});

test('kernel structs from curtask: nested structs, arrays of structs, pointers, bitfields, cpumask arrays', () => {
  const out = sameAsBpftrace('BEGIN { print(curtask->se.load); $l = curtask->se.load; @l = $l; @k[curtask->se.load] = 2; print(curtask->cpus_mask); exit(); }');
  assert.match(out, /^Attaching 1 probe...\n\{ \.weight = \d+, \.inv_weight = \d+ \}\n\{ \.bits = \[\d+(,\d+)*\] \}\n/);
  sameAsBpftrace('BEGIN { print(curtask->se.load); print(curtask->cpus_mask); exit(); }', ['-f', 'json']);
  // struct thread_struct: an array of bitfield structs and plain arrays; a pointer-free slice of it.
  sameAsBpftrace('BEGIN { print(curtask->thread.tls_array); print(curtask->thread.ptrace_bps); exit(); }');
});

test('members of a struct copy in a variable or map value: $x.a.b, @m.b', () => {
  const out = sameAsBpftrace('BEGIN { $x = curtask->se; printf("%d %d\\n", $x.load.weight, $x.on_rq); print($x.load); @m = curtask->se.load; printf("%d\\n", @m.inv_weight); exit(); }');
  assert.match(out, /^Attaching 1 probe...\n\d+ \d+\n\{ \.weight = \d+, \.inv_weight = \d+ \}\n\d+\n/);
  const w = fixture('cstructs');
  const fromUser = sameAsBpftrace(`${REC} uprobe:${w}:take { $c = ((struct rec *)arg0)->in; printf("%c %ld\\n", $c.tag, $c.big); }`, ['-c', w]);
  assert.is(fromUser, 'Attaching 1 probe...\nq 1099511627776\n\n\n');
});

test('printf of a struct or an array is refused as in bpftrace; too big a struct says the limit', () => {
  const r = bpfscript(['-e', 'BEGIN { printf("%s\\n", curtask->se.load); }']);
  assert.is(r.status, 1);
  assert.match(r.stderr, 'ERROR: printf: %s specifier expects a value of type string (record supplied)');
  const big = bpfscript(['-e', 'struct big { long x[40]; }; struct w { struct big b; }; BEGIN { @t = ((struct w *)curtask)->b; }']);
  assert.is(big.status, 1);
  assert.match(big.stderr, /ERROR: struct big \(320 bytes\) cannot be stored in a map\n[^]*HINT: structs of at most 256 bytes are copied/);
  const arr = bpfscript(['-e', 'BEGIN { print(curtask->sighand->action); }']);
  assert.is(arr.status, 1);
  assert.match(arr.stderr, 'is 2048 bytes; arrays of at most 256 bytes can be read whole');
});

test.run();
