// Pointers and arrays as bpftrace 0.17 has them, compared with bpftrace itself: arithmetic scaled
// by the element size, `*p` of integers, pointers and structs, `p[N]` and `arr[N]` (nested arrays,
// arrays of structs and of pointers, copies in variables and maps), through uprobes on the
// pointers fixture, whose data sits at fixed addresses (a static, non-PIE build). Refusals keep
// bpftrace's wording.

import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { bpfscript, fixture, leakedPrograms, sameAsBpftrace } from './helpers';

test.after(() => {
  assert.equal(leakedPrograms(), []);
});

const w = fixture('pointers');
// The fixture's structs, as a script declares them ("ptw": bpftrace 0.17 mixes up a script struct
// named like a kernel one).
const S =
  'struct ptw { unsigned int a; unsigned long b; }; struct arrs { int x[4]; int y[2][2]; int *z[4]; unsigned char b[6]; char name[8]; short s[3]; struct ptw pts[2]; };';

test('pointer arithmetic steps by the element size: + - += -= ++ -- on variables and maps', () => {
  const out = sameAsBpftrace(
    'BEGIN { @=(int8*) 32; @+=1; @b = (int32*)32 + 1; @c = (int32*)32 - 1; @d = 1 + (int32*)32; @e=(int16*)32; @e++; @f=(int64*)32; --@f; @g = (int32*)32; @g -= 6; ' +
      '$p = (int32*)32; $p++; @h = $p; $p += 2; @i = $p; $p -= 1; ++$p; --$p; $p--; @j = $p; @dec = 4; @k = (int32*)32; @k -= @dec; @l = (int32 **)32 + 2; exit(); }',
  );
  assert.is(out, 'Attaching 1 probe...\n\n\n@: 33\n@b: 36\n@c: 28\n@d: 36\n@dec: 4\n@e: 34\n@f: 24\n@g: 8\n@h: 36\n@i: 44\n@j: 36\n@k: 16\n@l: 48\n');
  // Struct pointers step by the struct's size, kernel ones too.
  sameAsBpftrace('struct A { int a; int b; char c[28]; }; BEGIN { $a = (struct A *)1024; printf("%lu - 5 x %lu = %lu\\n", $a, sizeof(struct A), $a - 5); @t = (uint64)(curtask + 1) - (uint64)curtask; exit(); }');
  // A variable keeps the pointer type it was first given.
  assert.match(sameAsBpftrace('BEGIN { $p = (int32*)32; $p = (int64*)40; @ = $p + 1; exit(); }'), '@: 44\n');
  // Pointers in maps print as signed numbers; a map keeps a struct pointer's type (@t->pid).
  const signed = sameAsBpftrace('BEGIN { @t = (int8*)-1; @u[1] = (uint32*)0xffffffffffffff00; print(@u); $c = curtask; @m = $c; @ok = @m->pid == (int32)pid; clear(@m); exit(); }');
  assert.match(signed, '@ok: 1\n@t: -1\n@u[1]: -256\n');
  sameAsBpftrace('BEGIN { @t = (int8*)-1; @u[1] = (uint32*)0xffffffffffffff00; exit(); }', ['-f', 'json']);
});

test('*p reads integers at their width and sign, pointers to pointers, and structs', () => {
  const out = sameAsBpftrace(
    `uprobe:${w}:take_signed { @c = *(int8*)arg0; @s = *(int16*)arg1; @l = *(int64*)arg2; @uc = *(uint8*)arg0; @us = *(uint16*)arg1; @ul = *(uint64*)arg2; @i = *(int32*)arg2; @raw = *arg2; printf("%d %d %d\\n", *(int8*)arg0, *(int16*)arg1, *(int64*)arg2); }`,
    ['-c', w],
  );
  assert.match(out, '-5 -1234 -1912276171\n');
  assert.match(out, '@l: -1234567890123\n@raw: 18446742839141661493\n@s: -1234\n@uc: 251\n');
  sameAsBpftrace(`uprobe:${w}:take_pp { $p = (int32 **)arg0; @x = **$p; @y = *($p + 0); @z = **($p + 0) + 1; }`, ['-c', w]);
  const structs = sameAsBpftrace(
    `${S} uprobe:${w}:take_pp { $pp = (struct ptw **)arg0; printf("%d %d\\n", (*$pp)->a, (*$pp)[1].b); @ = **$pp; @b = $pp[0][-1]; @c = sizeof(**$pp); $s = **$pp; @m = $s.b; print($s); }`,
    ['-c', w],
  );
  assert.match(structs, 'Attaching 1 probe...\n3 40\n{ .a = 3, .b = 30 }\n');
  sameAsBpftrace(`${S} uprobe:${w}:take_pp { $pp = (struct ptw **)arg0; @k[**$pp, 1] = 1; @t = (1, **$pp); }`, ['-c', w, '-f', 'json']);
  // A kernel struct through `*` and `[0]` is the same place `->` reaches.
  sameAsBpftrace('BEGIN { @a = (*curtask).pid == (int32)pid; @b = curtask[0].pid == (int32)pid; @c = sizeof(*curtask); @d = sizeof(curtask[1]); exit(); }');
});

test('tracepoint pointer fields are typed by their C type: *args->filename is a char, args->argv[1] a char *', () => {
  const chars = sameAsBpftrace('tracepoint:syscalls:sys_enter_openat /pid == cpid/ { printf("%c%c %d\\n", *args->filename, args->filename[1], *(args->filename + 2)); exit(); }', ['-c', '/bin/true']);
  assert.is(chars, 'Attaching 1 probe...\n/e 116\n\n\n');
  const argv = sameAsBpftrace('tracepoint:syscalls:sys_enter_execve /pid == cpid/ { printf("%s %s\\n", str(*args->argv), str(args->argv[1])); exit(); }', ['-c', '/bin/true hello']);
  assert.is(argv, 'Attaching 1 probe...\n/bin/true hello\n\n\n');
});

test('tracepoint array fields are arrays: args->args[N] of raw_syscalls, sizeof, bounds', () => {
  const out = sameAsBpftrace('tracepoint:raw_syscalls:sys_enter /pid == cpid && args->id == 12/ { printf("%d %d %d\\n", args->id, args->args[0], sizeof(args->args)); exit(); }', ['-c', '/bin/true']);
  assert.is(out, 'Attaching 1 probe...\n12 0 48\n\n\n');
  refused('tracepoint:raw_syscalls:sys_enter { @ = args->args[6]; }', 'the index 6 is out of bounds for array of size 6');
});

test('walking an array of structs with ++ on a pointer', () => {
  const out = sameAsBpftrace(
    `${S} uprobe:${w}:take_pts { $p = (struct ptw *)arg0; $i = 0; while ($i < 5) { @a += $p->a; @b += ($p++)->b; $i++; } @c = *($p - 1); @d[*($p - 5)] = 1; @t = (1, $p[-2]); }`,
    ['-c', w],
  );
  assert.is(out, 'Attaching 1 probe...\n\n\n@a: 15\n@b: 150\n@c: { .a = 5, .b = 50 }\n@d[{.a=1,.b=10}]: 1\n@t: (1, { .a = 4, .b = 40 })\n');
});

test('p[N] on integer pointers, in variables and map values; positional indices', () => {
  const out = sameAsBpftrace(
    `uprobe:${w}:take_ints { $a = (int32 *)arg0; printf("%d %d %d\\n", $a[0], $a[1], *($a + 3)); @ = $a[5]; @m[0] = $a; @n = @m[0][1]; $v = @m[0]; @o = $v[4]; $h = (int16 *)arg0; @q = $h[2]; @r = $a[$1]; }`,
    ['-c', w, '2'],
  );
  assert.match(out, 'Attaching 1 probe...\n100 -200 -400\n');
  assert.match(out, '@: 600\n');
  assert.match(out, '@n: -200\n@o: 500\n');
  assert.match(out, '@r: 300\n');
});

test('arr[N] on array members: nested arrays, arrays of structs and of pointers, copies in variables and maps', () => {
  const out = sameAsBpftrace(
    `${S} uprobe:${w}:take_arrs { $a = (struct arrs *)arg0; printf("%d %d %d %d\\n", $a->x[0], $a->x[3], $a->s[0], $a->s[2]); @y = $a->y[1]; @y10 = $a->y[1][0]; @z = *$a->z[1]; @pts = $a->pts[1]; @ptsa = $a->pts[1].a; }`,
    ['-c', w],
  );
  assert.is(out, 'Attaching 1 probe...\n1 4 -1 -300\n\n\n@pts: { .a = 22, .b = 222 }\n@ptsa: 22\n@y: [7,8]\n@y10: 7\n@z: 3\n');
  sameAsBpftrace(
    `${S} uprobe:${w}:take_arrs { $a = (struct arrs *)arg0; $y = $a->y; @r = $y[1][1]; @s = $y[0]; $x = $a->x; @x = $x[3]; @m[1] = $a->x; @mm = @m[1][2]; @t = ($a->x, 1); @k[$a->y] = 1; $w = @m[1]; @ww = $w[0]; }`,
    ['-c', w],
  );
  // In a tuple an int array aligns as an int: (int8, int[4]) is 20 bytes.
  assert.match(sameAsBpftrace(`${S} uprobe:${w}:take_arrs { $a = (struct arrs *)arg0; $t = ((int8)1, $a->x); print((sizeof($t), sizeof($a->x), sizeof($a->pts))); print($t); }`, ['-c', w]), '(20, 16, 32)\n(1, [1,2,3,4])\n');
});

test('an indexed array member reads just its element: kernel arrays bigger than a copy can hold', () => {
  // saved_auxv is 448 bytes, more than an array value may copy (256); its even slots are AT_* types.
  const out = sameAsBpftrace('BEGIN { printf("%d %d %d\\n", curtask->mm->saved_auxv[0], curtask->mm->saved_auxv[2], curtask->signal->rlim[0].rlim_cur); print(curtask->thread.tls_array[1]); exit(); }');
  assert.match(out, 'Attaching 1 probe...\n33 51 -1\n{ .limit0 = 0,');
  refused('BEGIN { @ = curtask->mm->saved_auxv[56]; }', 'the index 56 is out of bounds for array of size 56');
});

test('byte arrays (unsigned char, u8) are arrays of numbers, as in 0.17; buf(), macaddr() and ntop() take them; char arrays stay text', () => {
  const out = sameAsBpftrace(
    `${S} uprobe:${w}:take_arrs { $a = (struct arrs *)arg0; printf("%r %s %s %c%c\\n", buf($a->b), macaddr($a->b), ntop(((struct in6_addr *)arg0)->in6_u.u6_addr8), $a->b[0] + 55, $a->b[1] + 50); @ = buf($a->b, 3); print($a->b); @b = $a->b; @n = $a->name; }`,
    ['-c', w],
  );
  assert.is(out, 'Attaching 1 probe...\n\\x0a\\x14\\x1e(2< 0A:14:1E:28:32:3C 100:0:200:0:300:0:400:0 AF\n[10,20,30,40,50,60]\n\n\n@: \\x0a\\x14\\x1e\n@b: [10,20,30,40,50,60]\n@n: ptrs\n');
  // A kernel u8 array (read from address 0, so both tools see zeroes).
  assert.match(sameAsBpftrace('BEGIN { @a = ((struct in6_addr *)0)->in6_u.u6_addr8; @b = ((struct in6_addr *)0)->in6_u.u6_addr8[1]; exit(); }'), '@a: [0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0]\n');
});

test('pointers as map keys print in hex (text and json); as values and in tuples, in decimal', () => {
  const prog = 'BEGIN { @[(int8*)32] = 1; @u[(int8 *)32, 1] = 1; @h[(int16*)48] = hist(3); @t = ((int8*)32, 1); @v = (int32*)64; exit(); }';
  const out = sameAsBpftrace(prog);
  assert.match(out, '@[0x20]: 1\n');
  assert.match(out, '@t: (32, 1)\n@u[0x20, 1]: 1\n@v: 64\n');
  assert.match(sameAsBpftrace(prog, ['-f', 'json']), '{"type": "map", "data": {"@u": {"0x20,1": 1}}}');
  // A kernel pointer as a key: the tools' parent (this test) is the same process for both.
  assert.match(sameAsBpftrace('BEGIN { @n[curtask->parent->mm] = 1; exit(); }'), /@n\[0x[0-9a-f]+\]: 1\n/);
});

test('str($1 + N) of a text positional parameter starts at its N-th character; N past its end is refused', () => {
  const out = sameAsBpftrace('BEGIN { printf("%s|%s|%s\\n", str($1 + 1), str(5 + $1), str($2 + 1)); @[str($1 + 2, 2)] = 1; exit(); }', ['hello', '3']);
  assert.is(out, 'Attaching 1 probe...\nello||\n\n\n@[ll]: 1\n');
  refused('BEGIN { printf("%s\\n", str($1 + 10)); }', 'only addition of a single constant less or equal to the length of $1 (which is 5) is allowed inside str()', ['hello']);
});

/** bpfscript's refusal: exit status 1, bpftrace 0.17's wording, nothing on stdout. */
function refused(prog: string, message: string, args: string[] = []): void {
  const r = bpfscript(['-e', prog, ...args]);
  assert.is(r.status, 1, r.stderr);
  assert.match(r.stderr, `ERROR: ${message}`);
  assert.is(r.stdout, '');
}

test('refusals: arithmetic and unary operators on pointers, dereferencing and indexing non-pointers', () => {
  refused('BEGIN { @e = (int64*)32 - (int64*)16; }', 'The - operator can not be used on expressions of types int64 *, int64 *');
  refused('BEGIN { $p = (int32*)32; @d = $p * 2; }', 'The * operator can not be used on expressions of types int32 *, int64');
  refused('BEGIN { $p = (uint16*)32; @a = $p + $p; }', 'The + operator can not be used on expressions of types unsigned int16 *, unsigned int16 *');
  refused('BEGIN { $p = (int32*)32; @a = 5 - $p; }', 'The - operator can not be used on expressions of types int64, int32 *');
  refused('BEGIN { $p = (int32*)32; @a = $p && 1; }', 'The && operator can not be used on expressions of types int32 *, int64');
  refused('BEGIN { @a = curtask->mm & 0xf; }', 'The & operator can not be used on expressions of types struct mm_struct *, int64');
  refused('BEGIN { $p = (int32*)32; @c = -$p; }', "The - operator can not be used on expressions of type 'int32 *'");
  refused('BEGIN { @ = *comm; }', "The dereference operator can not be used on expressions of type 'string[16]'");
  refused('BEGIN { @ = **curtask; }', "Can not dereference struct/union of type 'struct task_struct'. It is not a pointer.");
  refused('BEGIN { @ = comm[16]; }', 'the index 16 is out of bounds for array of size 16');
  refused('BEGIN { @ = pid[1]; }', 'The array index operator [] can only be used on arrays and pointers, found integer.');
  refused('BEGIN { $p = (int32*)32; $i = 1; @ = $p[$i]; }', 'The array index operator [] only accepts literal integer indices.');
  refused(`${S} uprobe:${w}:take_arrs { $a = (struct arrs *)arg0; @ = $a->x[4]; }`, 'the index 4 is out of bounds for array of size 4');
  refused(`${S} uprobe:${w}:take_arrs { $a = (struct arrs *)arg0; @ = $a->y[0][-1]; }`, 'the index -1 is out of bounds for array of size 2');
  refused('BEGIN { print(curtask); }', 'struct task_struct * type passed to print() is not printable');
  refused('BEGIN { $p = (int32*)32; print($p); }', 'int32 * type passed to print() is not printable');
  refused('BEGIN { $p = (uint16*)32; $p = 5; }', "Type mismatch for $p: trying to assign value of type 'int64' when variable already contains a value of type 'unsigned int16 *'");
  refused('BEGIN { $p = 5; $p = curtask; }', "Type mismatch for $p: trying to assign value of type 'struct task_struct *' when variable already contains a value of type 'int64'");
  refused('BEGIN { @p = (uint16*)32; @p = 5; }', "Type mismatch for @p: trying to assign value of type 'int64' when map already contains a value of type 'unsigned int16 *'");
});

test.run();
