// Builtins and functions bpftrace 0.17's own runtime suite checks: ctx outside iterators, sargN,
// uaddr() of globals of each size, buf() of integer arrays and padded strings, unwatch(),
// --include errno.h, a missing header, and a script struct redefining a kernel struct. Each runs
// against a workload and, where bpftrace 0.17 runs the same script here, prints what it prints.

import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { writeFileSync } from 'node:fs';
import { spawnSync } from './child';
import { bpfscript, buildFixture, leakedPrograms, sameAsBpftrace, scratchPath } from './helpers';

test.after.each(() => {
  assert.equal(leakedPrograms(), []);
});

const bin = (): string => buildFixture('peer-args', 'peer-args', ['-O0', '-no-pie']);
const STRUCT = 'struct arrays { const char *s; int d[4]; uint16_t e[4]; uint64_t f[2]; };';

test('ctx: struct bpf_perf_event_data * in interval probes, struct pt_regs * in uprobes, as bpftrace', () => {
  assert.is(sameAsBpftrace('i:ms:1 { $c = ctx; printf("%d %d\\n", ctx->sample_period, $c->sample_period); exit(); }'), 'Attaching 1 probe...\n1000000 1000000\n\n\n');
  const b = bin();
  const prog = `uprobe:${b}:many { printf("%d %d %d\\n", ctx->di, ((struct pt_regs *)ctx)->si, ctx->di == arg0); exit(); }`;
  assert.is(sameAsBpftrace(prog, ['-c', b]), 'Attaching 1 probe...\n1 2 1\n\n\n');
  // The first member of the context through a script struct, as bpftrace's own test reads it.
  assert.match(bpfscript(['-e', 'struct x { unsigned long x }; i:ms:1 { printf("SUCCESS %d\\n", ((struct x *)ctx)->x); exit(); }']).stdout, /^SUCCESS -?\d+$/m);
});

test('ctx where 0.17 has none: its errors', () => {
  let r = bpfscript(['-e', 'BEGIN { printf("%p\\n", ctx); exit(); }']);
  assert.is(r.status, 1);
  assert.match(r.stderr, /^stdin:1:24-27: ERROR: invalid program type$/m);
  r = bpfscript(['-e', 'tracepoint:syscalls:sys_enter_getppid { print(ctx); exit(); }']);
  assert.match(r.stderr, /ERROR: Use args instead of ctx in tracepoint$/m);
});

test('sarg0..sarg9: stack arguments in a uprobe, as bpftrace reads them; refused elsewhere', () => {
  const b = bin();
  assert.is(sameAsBpftrace(`uprobe:${b}:many { printf("%d %d %d\\n", sarg0, sarg1, sarg2); exit(); }`, ['-c', b]), 'Attaching 1 probe...\n70 80 90\n\n\n');
  const r = bpfscript(['-e', 'tracepoint:syscalls:sys_enter_getppid { print(sarg0); }']);
  assert.is(r.status, 1);
  assert.match(r.stderr, /ERROR: The sarg0 builtin can only be used with 'kprobes' and 'uprobes' probes$/m);
  assert.match(bpfscript(['-e', `uprobe:${b}:many { print(sarg10); }`]).stderr, /ERROR: Unknown identifier: 'sarg10'/);
});

test('*uaddr("sym") reads a signed integer of the symbol\'s size, as bpftrace', () => {
  const b = bin();
  const prog = `uprobe:${b}:many { printf("%d %d %d %lx %d\\n", *uaddr("g8"), *uaddr("g16"), *uaddr("g32"), *uaddr("g64"), sizeof(*uaddr("g16"))); exit(); }`;
  assert.is(sameAsBpftrace(prog, ['-c', b]), 'Attaching 1 probe...\n-3 -300 -2004318072 1122334455667788 2\n\n\n');
});

test('buf() of a const char * member and of integer arrays of each width, as bpftrace', () => {
  const b = bin();
  const prog = `${STRUCT} uprobe:${b}:take { $a = (struct arrays *)arg0; printf("%r|%r|%r|%r\\n", buf($a->s, 4), buf($a->d), buf($a->e), buf($a->f)); exit(); }`;
  const out = sameAsBpftrace(prog, ['-c', b]);
  assert.ok(out.startsWith('Attaching 1 probe...\nabcd|\\x01\\x00\\x00\\x00\\xfe\\xff\\xff\\xff\\x03\\x00\\x00\\x00\\x04\\x00\\x00\\x00|\\x05\\x00\\x06\\x00\\x07\\x00\\x08\\x00|\\x09\\x00'), out);
});

test('buf() of a string is padded with NULs to the length asked for, as bpftrace', () => {
  assert.is(sameAsBpftrace('BEGIN { @[buf("ok_key", 8), 1] = count(); @s = buf("ok_key", 6); printf("%r|\\n", buf("ok", 5)); exit(); }'), 'Attaching 1 probe...\nok\\x00\\x00\\x00|\n\n\n@[ok_key\\x00\\x00, 1]: 1\n@s: ok_key\n');
});

test('unwatch(addr) removes a watchpoint while tracing, as bpftrace', () => {
  const b = bin();
  const script = (unwatch: boolean) => {
    const path = scratchPath(unwatch ? 'unwatch.bt' : 'watch.bt');
    writeFileSync(path, `uprobe:${b}:watch_me { @addr = arg0; }\nwatchpoint:watch_me+arg0:4:w { @count++; ${unwatch ? 'unwatch(@addr);' : ''} }\nEND { printf("count=%d\\n", @count); clear(@addr); clear(@count); }\n`);
    return path;
  };
  for (const [unwatch, count] of [[true, 1], [false, 4]] as const) {
    const args = [script(unwatch), '-c', `${b} watch`];
    const r = bpfscript(args);
    assert.is(r.stderr, '');
    assert.match(r.stdout, new RegExp(`^count=${count}$`, 'm'));
    assert.match(spawnSync('bpftrace', args, { encoding: 'utf8' }).stdout, new RegExp(`^count=${count}$`, 'm'));
  }
  assert.match(bpfscript(['-e', 'BEGIN { unwatch("x"); }']).stderr, /ERROR: unwatch\(\) expects an integer address, got string/);
});

test('--include errno.h gives the E… constants, as bpftrace', () => {
  assert.is(sameAsBpftrace('BEGIN { print(strerror(EPERM)); printf("%d\\n", ENOENT); exit(); }', ['--include', 'errno.h']), 'Attaching 1 probe...\nOperation not permitted\n2\n\n\n');
  // Without the header the names are unknown, as in bpftrace.
  assert.match(bpfscript(['-e', 'BEGIN { print(EPERM); }']).stderr, /Unknown identifier: 'EPERM'/);
});

test('a header found nowhere is refused with clang\'s words; a kernel or system header is not', () => {
  const r = bpfscript(['-e', '#include <lol/no.h>\nBEGIN { exit(); }']);
  assert.is(r.status, 1);
  assert.is(r.stdout, '');
  assert.match(r.stderr, /^stdin:1:1-20: ERROR: 'lol\/no.h' file not found\n#include <lol\/no.h>\n~+\nHINT: /);
  const flag = bpfscript(['--include', 'lol.h', '-e', 'BEGIN { exit(); }']);
  assert.is(flag.status, 1);
  assert.match(flag.stderr, /^ERROR: 'lol.h' file not found$/m);
  const ok = bpfscript(['-e', '#include <sys/xattr.h>\n#include <linux/not-installed-here.h>\n#include <stddef.h>\nBEGIN { exit(); }']);
  assert.is(ok.stderr, '');
  assert.is(ok.status, 0);
});

test('a script redefining a kernel struct gets no kernel struct by value, as in bpftrace 0.17', () => {
  const prog = 'struct task_struct { struct thread_info x; } BEGIN { printf("%d\\n", curtask->x.status); }';
  const r = bpfscript(['-e', prog]);
  assert.is(r.status, 1);
  assert.match(r.stderr, /^stdin:1:22-40: ERROR: error: field has incomplete type 'struct thread_info'$/m);
  // A new struct may hold one, and a redefinition may point at one.
  assert.is(bpfscript(['-e', 'struct Foo { struct thread_info x; } BEGIN { printf("%d\\n", ((struct Foo *)curtask)->x.status >= 0); exit(); }']).stdout, 'Attaching 1 probe...\n1\n\n\n');
  assert.is(bpfscript(['-e', 'struct task_struct { struct thread_info *x; } BEGIN { printf("%d\\n", sizeof(curtask->x)); exit(); }']).stdout, 'Attaching 1 probe...\n8\n\n\n');
});

test('--info lists the map types bpftrace lists, and the ring buffer', () => {
  const r = bpfscript(['--info']);
  const section = (text: string) => /\nMap types\n((?: {2}.*\n)+)/.exec(text)?.[1] ?? '';
  const ours = section(r.stderr);
  assert.ok(ours.endsWith('  ringbuf: yes\n'), r.stderr);
  const theirs = section(spawnSync('bpftrace', ['--info'], { encoding: 'utf8' }).stderr);
  assert.is(ours, `${theirs}  ringbuf: yes\n`);
});

test.run();
