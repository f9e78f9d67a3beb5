// C struct/union/enum definitions written in a script: laid out with C's rules, members read in
// the kernel, compared with bpftrace 0.17 (which compiles them with clang). Also kernel types
// embedded in script structs (from BTF), the #ifndef BPFTRACE_HAVE_BTF fallbacks of bpftrace's
// tools, and the diagnostics for definitions that cannot be laid out.

import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from './child';
import { writeFileSync } from 'node:fs';
import { bpfscript, fixture, leakedPrograms, sameAsBpftrace, scratchPath } from './helpers';

test.after(() => {
  assert.equal(leakedPrograms(), []);
});

const REC = `enum colour { RED, GREEN = 5, BLUE };
struct inner { char tag; long big; };
struct rec {
  char c; short s; int i; long l;
  struct inner in;
  int arr[3];
  char name[8];
  unsigned int lo : 3, mid : 7, hi : 22;
  union { unsigned int word; unsigned char bytes[4]; } u;
  enum colour col;
  struct inner *next;
  unsigned char tail;
};`;

test('a script struct read through a uprobe pointer: padding, nesting, arrays, bitfields, unions, enums, pointers', () => {
  const w = fixture('cstructs');
  const out = sameAsBpftrace(
    `${REC}
uprobe:${w}:take {
  $r = (struct rec *)arg0;
  printf("%d %d %d %d\\n", $r->c, $r->s, $r->i, $r->l);
  printf("%d %d %s\\n", $r->in.tag, $r->in.big, $r->name);
  printf("%d %d %d %x %d %d %d\\n", $r->lo, $r->mid, $r->hi, $r->u.word, $r->col, $r->next->big, $r->tail);
  printf("%d %d %d\\n", sizeof(struct rec), sizeof(struct inner), BLUE);
}`,
    ['-c', w],
  );
  assert.is(out, 'Attaching 1 probe...\n65 -2 123456 -1286608618\n113 0 bpfscr\n5 100 3000000 11223344 6 -77 238\n80 16 6\n\n\n');
});

test('a script struct embedding a kernel struct (struct qstr from BTF)', () => {
  const w = fixture('cstructs');
  const out = sameAsBpftrace(
    `struct wrap { struct qstr q; int after; };
uprobe:${w}:take_wrap { $w = (struct wrap *)arg0; printf("%x %d %s %d %d\\n", $w->q.hash, $w->q.len, str($w->q.name), $w->after, sizeof(struct wrap)); }`,
    ['-c', w],
  );
  assert.is(out, 'Attaching 1 probe...\nabcdef 6 dentry 4242 24\n\n\n');
});

test('enumerators as constants, unions, self-pointers, sizeof: as bpftrace', () => {
  const out = sameAsBpftrace(
    'enum e { A = 3, B, C = B << 2 }; union u { int a; long b; char c[12]; }; struct s { char a; struct s *self; union u u; int bits : 4; }; BEGIN { printf("%d %d %d %d %d\\n", A, B, C, sizeof(union u), sizeof(struct s)); exit(); }',
  );
  assert.is(out, 'Attaching 1 probe...\n3 4 16 16 40\n\n\n');
});

test("a struct's last member may omit its ';', as clang (and so bpftrace) accepts, nested ones too", () => {
  const out = sameAsBpftrace('struct A { int a; int b; char c[28] }; struct F { struct { int m[1] } y; struct { int n } a; }; BEGIN { printf("%d %d\\n", sizeof(struct A), sizeof(struct F)); exit(); }');
  assert.is(out, 'Attaching 1 probe...\n36 8\n\n\n');
});

test('C layout corner cases: bitfield units, zero-length arrays, qualifiers, C spellings of integers: sizes as bpftrace', () => {
  const out = sameAsBpftrace(
    'struct a { char x; int b : 4; char c; }; struct b { char x; long long y : 3; int z; }; struct c { short s; char arr[3]; }; ' +
      'struct d { char x; union { int i; char c[5]; } u; }; struct e { int a : 31; int b : 2; }; struct f { char c; struct c inner; long t[0]; }; ' +
      'struct g { const char *name; unsigned x; signed char y; long int z; u8 q; __u16 r; const struct cred *cr; volatile int v; const unsigned int w; }; ' +
      'BEGIN { printf("%d %d %d %d %d %d %d\\n", sizeof(struct a), sizeof(struct b), sizeof(struct c), sizeof(struct d), sizeof(struct e), sizeof(struct f), sizeof(struct g)); exit(); }',
  );
  assert.is(out, 'Attaching 1 probe...\n4 8 6 12 8 8 48\n\n\n');
});

test('#ifndef BPFTRACE_HAVE_BTF fallbacks are skipped (BTF present), #ifdef/#else honoured', () => {
  const out = sameAsBpftrace(
    '#ifndef BPFTRACE_HAVE_BTF\nstruct qstr { char nope; };\n#endif\n#ifdef BPFTRACE_HAVE_BTF\nstruct one { int a; long b; };\n#else\nstruct one { int a; };\n#endif\nBEGIN { printf("%d %d\\n", sizeof(struct qstr), sizeof(struct one)); exit(); }',
  );
  assert.is(out, 'Attaching 1 probe...\n16 16\n\n\n');
});

test('#define constants: literals, negated and parenthesised, aliases, conditional ones, as bpftrace', () => {
  const out = sameAsBpftrace(
    '#define _UNDERSCORE 314\n#define NEG (-0x10)\n#define ALIAS _UNDERSCORE\n#define OCT 017UL /* 15 */\n#ifdef BPFTRACE_HAVE_BTF\n#define PICK 1\n#else\n#define PICK 2\n#endif\nBEGIN { printf("%d %d %d %d %d\\n", _UNDERSCORE, NEG, ALIAS, OCT, PICK); exit(); }',
  );
  assert.is(out, 'Attaching 1 probe...\n314 -16 314 15 1\n\n\n');
});

test("runqlen.bt's fallback struct is skipped, so the kernel's cfs_rq is used, as in bpftrace", () => {
  const file = scratchPath('runqlen-test.bt');
  const body = '$task = (struct task_struct *)curtask; $my_q = (struct cfs_rq *)$task->se.cfs_rq; @q = lhist($my_q->FIELD, 0, 100, 1);';
  const script = (field: string, guard: string) =>
    `#${guard}\nstruct cfs_rq {\n\tstruct load_weight load;\n\tunsigned long runnable_weight;\n\tunsigned int nr_running;\n};\n#endif\nprofile:hz:99 { ${body.replace('FIELD', field)} }\n`;
  writeFileSync(file, script('nr_running', 'ifndef BPFTRACE_HAVE_BTF'));
  let r = bpfscript(['--emit-elf', scratchPath('runqlen-test.o'), file]);
  assert.is(r.status, 1);
  assert.match(r.stderr, /:8:\d+-\d+: ERROR: struct cfs_rq has no member named 'nr_running'/);
  // With the guard always true the script's own cfs_rq replaces the kernel's, and, as in bpftrace
  // 0.17, sees no kernel struct by value.
  writeFileSync(file, script('nr_running', 'if 1'));
  r = bpfscript(['--emit-elf', scratchPath('runqlen-test.o'), file]);
  assert.is(r.status, 1);
  assert.match(r.stderr, /:3:2-20: ERROR: error: field has incomplete type 'struct load_weight'/);
  // Its own definition of that struct makes it complete.
  writeFileSync(file, `struct load_weight { unsigned long weight; unsigned int inv_weight; };\n${script('nr_running', 'if 1')}`);
  r = bpfscript(['--emit-elf', scratchPath('runqlen-test.o'), file]);
  assert.is(r.stderr, '');
  assert.is(r.status, 0);
});

test('definitions that cannot be laid out: diagnostics with spans', () => {
  const r = bpfscript(['-e', 'struct a { struct nosuch_zz x; int y; };\nstruct b { struct b inner; };\nstruct c { char f : 9; };\nBEGIN { exit(); }']);
  assert.is(r.status, 1);
  assert.is(
    r.stderr,
    [
      "stdin:1:12-28: ERROR: unknown type 'struct nosuch_zz' for member x",
      'struct a { struct nosuch_zz x; int y; };',
      '           ~~~~~~~~~~~~~~~~',
      'HINT: kernel types come from /sys/kernel/btf/vmlinux; check the spelling',
      'stdin:2:1-29: ERROR: struct b contains itself',
      'struct b { struct b inner; };',
      '~~~~~~~~~~~~~~~~~~~~~~~~~~~~',
      'HINT: a struct can hold a pointer to its own type, not a copy of it',
      'stdin:3:17-22: ERROR: bitfield f is wider than its type (8 bits)',
      'struct c { char f : 9; };',
      '                ~~~~~',
      '',
    ].join('\n'),
  );
  const m = bpfscript(['-e', 'struct s { int a; }; BEGIN { $p = (struct s *)0; printf("%d\\n", $p->b); exit(); }']);
  assert.is(m.status, 1);
  assert.match(m.stderr, /stdin:1:\d+-\d+: ERROR: struct s has no member named 'b'/);
});

test('BPFTRACE_MAP_KEYS_MAX sizes keyed maps; dropped updates are counted and reported at exit', () => {
  const prog = 'BEGIN { $i = 0; while ($i < 10) { @a[$i] = $i; @b[$i] = count(); @c[$i]++; $i++; } @one = 1; exit(); }';
  const env = { BPFTRACE_MAP_KEYS_MAX: '4' };
  const ours = bpfscript(['-e', prog], { env });
  assert.is(ours.status, 0);
  // 6 keys of 10 do not fit, in each of the three keyed maps; the keyless @one is unaffected.
  assert.is(ours.stderr, 'WARNING: 18 map updates dropped: a map was full (it holds max_map_keys keys, BPFTRACE_MAP_KEYS_MAX, default 4096, or what its let @m = hash(N) declares; raise that to keep more)\n');
  const theirs = spawnSync('bpftrace', ['-e', prog], { encoding: 'utf8', env: { ...process.env, ...env } });
  // Equal counts print in hash order, which differs between the two: compare as sets of lines.
  const lines = (s: string) => s.split('\n').sort().join('\n');
  assert.is(lines(ours.stdout), lines(theirs.stdout));
  assert.match(ours.stdout, /@a\[3\]: 3\n@b/);
  const bad = bpfscript(['-e', prog], { env: { BPFTRACE_MAP_KEYS_MAX: '0' } });
  assert.is(bad.status, 1);
  assert.is(bad.stderr, "ERROR: BPFTRACE_MAP_KEYS_MAX must be an integer from 1 to 16777216, got '0'\n");
  const many = bpfscript(['-e', prog], { env: { BPFTRACE_MAP_KEYS_MAX: '10' } });
  assert.is(many.stderr, '');
});

test('a probe past the 512-byte BPF stack: the diagnostic names the statement, not LLVM', () => {
  // Four string variables fill the stack budget of codegen's own slots; a 50-deep division keeps
  // 50 helper results alive at once, which LLVM must spill.
  let e = 'nsecs';
  for (let i = 0; i < 50; i++) e = `nsecs / (${e})`;
  const file = scratchPath('stack-test.bt');
  writeFileSync(file, `tracepoint:syscalls:sys_enter_openat {
  $a = str(args->filename); $b = str(args->filename); $c = str(args->filename); $d = str(args->filename);
  @ok[$a] = 1;
  @x[$a, $b, $c, $d] = ${e};
}
`);
  const r = bpfscript(['--emit-elf', scratchPath('stack-test.o'), file]);
  assert.is(r.status, 1);
  const lines = r.stderr.split('\n');
  // The span starts at the statement (parenthesised operands end before their ')' in spans).
  assert.match(lines[0], `${file}:4:3-`);
  assert.match(lines[0], /:4:3-\d+: ERROR: this statement needs more than the 512 bytes of BPF stack a probe may use$/);
  assert.match(lines[2], /^  ~{400,}$/);
  assert.match(lines[3], /^HINT: too many values are alive across helper calls/);
  assert.not.match(r.stderr, /LLVM|Looks like/);
});

test("bpftrace 0.17's dcsnoop.bt and runqlen.bt (Debian installs them in /usr/sbin) compile as bpftrace compiles them", () => {
  // dcsnoop: its nameidata fallback is skipped, and lookup_fast.constprop.* (absent from this
  // kernel) is dropped because lookup_fast matches, as bpftrace does.
  const dc = bpfscript(['--emit-elf', scratchPath('dcsnoop-test.o'), '/usr/sbin/dcsnoop.bt']);
  assert.is(dc.stderr, '');
  assert.is(dc.status, 0);
  // runqlen: bpftrace 0.17 fails on kernels that renamed cfs_rq.nr_running (6.14+), as do we.
  const rq = bpfscript(['--emit-elf', scratchPath('runqlen-test.o'), '/usr/sbin/runqlen.bt']);
  const bt = spawnSync('bpftrace', ['--emit-elf', scratchPath('runqlen-bt.o'), '/usr/sbin/runqlen.bt'], { encoding: 'utf8' });
  if (/nr_running/.test(bt.stderr)) {
    assert.is(rq.status, 1);
    assert.match(rq.stderr, "/usr/sbin/runqlen.bt:37:16-26: ERROR: struct cfs_rq has no member named 'nr_running'");
  } else {
    assert.is(rq.stderr, '');
  }
});

test('a wildcard attach point matching nothing is skipped beside one that matches; alone it is an error', () => {
  const w = fixture('syscalls');
  const out = sameAsBpftrace('kprobe:no_such_function_zz*, tracepoint:syscalls:sys_enter_getppid /pid == cpid/ { @ = count(); }', ['-c', `${w} 3`]);
  assert.match(out, /^Attaching 1 probe...\n/);
  const alone = bpfscript(['-e', 'kprobe:no_such_function_zz* { }']);
  assert.is(alone.status, 1);
  assert.match(alone.stderr, 'stdin:1:1-28: ERROR: no kernel function matches no_such_function_zz*');
});

test('config block (newer bpftrace): max_map_keys and max_strlen; the environment wins; bad entries are errors', () => {
  const prog = 'config = { max_map_keys = 3; MAX_STRLEN = 3 } BEGIN { $i = 0; while ($i < 5) { @[$i] = $i; $i++; } printf("%s\\n", str(curtask->comm)); exit(); }';
  const r = bpfscript(['-e', prog]);
  assert.is(r.status, 0);
  assert.is(r.stdout, 'Attaching 1 probe...\nno\n\n\n@[0]: 0\n@[1]: 1\n@[2]: 2\n');
  assert.match(r.stderr, /^WARNING: 2 map updates dropped/);
  const env = bpfscript(['-e', prog], { env: { BPFTRACE_MAP_KEYS_MAX: '5', BPFTRACE_STRLEN: '5' } });
  assert.is(env.stdout, 'Attaching 1 probe...\nnode\n\n\n@[0]: 0\n@[1]: 1\n@[2]: 2\n@[3]: 3\n@[4]: 4\n');
  assert.is(env.stderr, '');
  const bad = bpfscript(['-e', 'config = { stack_mode = 3; foo = 1; max_map_keys = -1 } BEGIN { exit(); }']);
  assert.is(bad.status, 1);
  assert.is(
    bad.stderr,
    [
      'stdin:1:25-26: ERROR: stack_mode: Invalid value for stack_mode: valid values are bpftrace, perf and raw.',
      'config = { stack_mode = 3; foo = 1; max_map_keys = -1 } BEGIN { exit(); }',
      '                        ~',
      'stdin:1:28-35: ERROR: foo: not a known configuration option',
      'config = { stack_mode = 3; foo = 1; max_map_keys = -1 } BEGIN { exit(); }',
      '                           ~~~~~~~',
      'HINT: spec.md "Config block" lists the settings',
      'stdin:1:52-54: ERROR: max_map_keys: expecting a number, got -1',
      'config = { stack_mode = 3; foo = 1; max_map_keys = -1 } BEGIN { exit(); }',
      '                                                   ~~',
      '',
    ].join('\n'),
  );
});

// bpftrace 0.17 has no for loops (0.21+ does): expected outputs are worked out by hand. Elements
// come in the kernel's hash order, so printf lines are compared sorted; maps print sorted anyway.
test('for ($kv : @m): keys and values, tuple keys, string values, continue and break, maps written inside', () => {
  const r = bpfscript([
    '-e',
    'BEGIN { @m[1] = 10; @m[2] = 20; @m[3] = 30; @t[1, "a"] = 5; @t[2, "bb"] = 6;\n' +
      '  for ($kv : @m) { if ($kv.0 == 2) { continue; } @sum += $kv.0 * $kv.1; $n = $kv.1 + 1; printf("m %d %d\\n", $kv.0, $n); }\n' +
      '  for ($e : @t) { printf("t %d %s %d\\n", $e.0.0, $e.0.1, $e.1); @back[$e.0.1] = $e.0; }\n' +
      '  for ($kv : @m) { @walked++; break; } exit(); }',
  ]);
  assert.is(r.stderr, '');
  assert.is(r.status, 0);
  const [head, maps] = r.stdout.split('\n\n\n');
  assert.equal(head.split('\n').sort(), ['Attaching 1 probe...', 'm 1 11', 'm 3 31', 't 1 a 5', 't 2 bb 6']);
  assert.is(maps, '@back[a]: (1, a)\n@back[bb]: (2, bb)\n@m[1]: 10\n@m[2]: 20\n@m[3]: 30\n@sum: 100\n@t[1, a]: 5\n@t[2, bb]: 6\n@walked: 1\n');
});

test('for ($kv : @m) in a tracepoint: the body reads args and builtins of the probe, once per call', () => {
  const w = fixture('syscalls');
  const r = bpfscript([
    '-e',
    'BEGIN { @m[1] = 1; @m[2] = 2; @m[3] = 3; }\n' +
      'tracepoint:syscalls:sys_enter_getppid /pid == cpid/ { @calls++; for ($kv : @m) { @seen[$kv.0, args->__syscall_nr, pid == cpid] = $kv.1 * 100 + @calls; } }',
    '-c',
    `${w} 2`,
  ]);
  assert.is(r.stderr, '');
  assert.is(r.stdout, 'Attaching 2 probes...\n\n\n@calls: 2\n@m[1]: 1\n@m[2]: 2\n@m[3]: 3\n@seen[1, 110, 1]: 102\n@seen[2, 110, 1]: 202\n@seen[3, 110, 1]: 302\n');
});

test('for loops over maps read the probe\'s $variables, iterate per-CPU aggregations, and return ends the probe', () => {
  // Refused until bpftrace 0.26's runtime tests asked for them (for.variable context *, for.map with return).
  const r = bpfscript(['-e', 'BEGIN { @m[1] = 1; @c[1] = count(); $x = 5; for ($kv : @m) { @y = $x + $kv.1; } for ($a : @c) { @z = $a.1; return; } @never = 1; }' +
    ' END { clear(@m); clear(@c); } interval:ms:50 { exit(); }']);
  assert.is(r.status, 0, r.stderr);
  assert.match(r.stdout, /\n@y: 6\n@z: 1\n$/);
  assert.not.match(r.stdout, /@never/);
});

// Range loops (bpftrace 0.21+): no oracle either; the expected numbers are plain arithmetic.
test('for ($i : a..b): sum of 0..10, end exclusive, empty and reversed ranges, probe variables read and written', () => {
  const r = bpfscript([
    '-e',
    'BEGIN { $s = 0; for ($i : 0..10) { $s += $i; } $str = "ab"; for ($i : -3..-1) { $last = $i; $str = "xyz"; $t = ($i, "q"); }\n' +
      '  for ($i : 5..5) { @never = 1; } for ($i : 5..-3) { @never = 2; } $z = 0; for ($i : 0..$z) { @never = 3; } for ($i : 0..100000000000) { @never = 4; }\n' +
      '  printf("%d %d %s %d %s\\n", $s, $last, $str, $t.0, $t.1); exit(); }',
  ]);
  // $last and $t outlive the loop that assigned them, as in 0.17; 0.26 scopes them to it (lang-decls26).
  assert.equal(r.stderr.split('\n').filter((l) => /WARNING/.test(l)).map((l) => l.replace(/ \(at .*/, '')), ['stdin:3:34-39: WARNING: $last is read outside the block where it was first assigned', 'stdin:3:47-49: WARNING: $t is read outside the block where it was first assigned']);
  assert.is(r.status, 0);
  assert.is(r.stdout, 'Attaching 1 probe...\n45 -2 xyz -2 q\n\n\n\n');
});

test('for ($i : a..b): nested loops, break and continue, a map loop inside and a range loop inside a map loop', () => {
  const r = bpfscript([
    '-e',
    'BEGIN { for ($i : 0..3) { for ($j : $i..3) { printf("%d%d ", $i, $j); } } printf("\\n");\n' +
      '  for ($k : 0..10) { if ($k == 2) { continue; } if ($k == 5) { break; } @k[$k] = $k * 2; }\n' +
      '  @m[1] = 10; @m[2] = 20; for ($kv : @m) { $s = 0; for ($i : 0..($kv.0 + 1)) { $s += $kv.1; } @r[$kv.0] = $s; }\n' +
      '  for ($i : 0..3) { for ($kv : @m) { @q[$kv.0] += $kv.1; } } exit(); }',
  ]);
  assert.is(r.stderr, '');
  assert.is(r.stdout, 'Attaching 1 probe...\n00 01 02 11 12 22 \n\n\n@k[0]: 0\n@k[1]: 2\n@k[3]: 6\n@k[4]: 8\n@m[1]: 10\n@m[2]: 20\n@q[1]: 30\n@q[2]: 60\n@r[1]: 20\n@r[2]: 60\n');
});

test('for ($i : a..b): bounds known only at run time (a map, $1, a tracepoint argument); the body reads the probe context', () => {
  const b = bpfscript(['-e', 'BEGIN { @n = 4; for ($i : (@n - 2)..(@n + $1)) { @sum += $i; @cnt++; } exit(); }', '3']);
  assert.is(b.stderr, '');
  assert.is(b.stdout, 'Attaching 1 probe...\n\n\n@cnt: 5\n@n: 4\n@sum: 20\n');
  const w = fixture('syscalls');
  const r = bpfscript([
    '-e',
    'tracepoint:syscalls:sys_enter_getppid /pid == cpid/ { $call = @calls++; for ($i : 100..args->__syscall_nr) { if ($i % 2) { continue; } @n[pid == cpid, $call] += $i + $call; } }',
    '-c',
    `${w} 2`,
  ]);
  assert.is(r.stderr, '');
  assert.is(r.stdout, 'Attaching 1 probe...\n\n\n@calls: 2\n@n[1, 0]: 520\n@n[1, 1]: 525\n');
});

test('for ($i : a..b): a bound that is not an integer, a loop variable the probe already has, $i after the loop', () => {
  const r = bpfscript(['-e', 'BEGIN { $i = 1; for ($i : 0..2) { } for ($j : "a"..comm) { } for ($k : 0..2) { } print($k); }']);
  assert.is(r.status, 1);
  assert.is(
    r.stderr,
    [
      'stdin:1:22-24: ERROR: the loop variable $i is already a variable of the probe',
      'BEGIN { $i = 1; for ($i : 0..2) { } for ($j : "a"..comm) { } for ($k : 0..2) { } print($k); }',
      '                     ~~',
      'HINT: give the loop variable a name of its own',
      'stdin:1:47-50: ERROR: a loop range needs an integer start value, got string[2]',
      'BEGIN { $i = 1; for ($i : 0..2) { } for ($j : "a"..comm) { } for ($k : 0..2) { } print($k); }',
      '                                              ~~~',
      'HINT: for ($i : 0..10) counts $i from 0 to 9; both ends are integer expressions',
      'stdin:1:52-56: ERROR: a loop range needs an integer end value, got string[16]',
      'BEGIN { $i = 1; for ($i : 0..2) { } for ($j : "a"..comm) { } for ($k : 0..2) { } print($k); }',
      '                                                   ~~~~',
      'HINT: for ($i : 0..10) counts $i from 0 to 9; both ends are integer expressions',
      'stdin:1:88-90: ERROR: Undefined or undeclared variable: $k',
      'BEGIN { $i = 1; for ($i : 0..2) { } for ($j : "a"..comm) { } for ($k : 0..2) { } print($k); }',
      '                                                                                       ~~',
      'HINT: did you mean $i?',
      '',
    ].join('\n'),
  );
});

test.run();
