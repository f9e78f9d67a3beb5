// Type checking and code generation against the fake host (test/fake-host.ts): scripts compile to
// a BPF ELF whose field offsets, helpers, maps and events follow the fake kernel's BTF and tracefs
// formats, and bad scripts fail with bpftrace's file:line:col diagnostics. No root, no kernel.

import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { compile } from '../../src/compile';
import { BpfscriptError, renderAll } from '../../common/diagnostics';
import { ElfFile } from '../../common/kernel/elf';
import { withHost } from '../../common/kernel/host';
import { fakeKernel } from '../fake-host';
import type { KfuncAttach } from '../../src/probes/kfunc.attach';

// Each compile sees the fake machine; the process-wide host stays the real one, since `npm test`
// runs every suite in one process.
const fake = fakeKernel();
const build = (src: string) => withHost(fake, () => compile(src, { file: 'unit.bt', wantIR: true }));

/** The rendered diagnostics of a script that must not compile. */
function failure(src: string): string {
  try {
    build(src);
  } catch (e) {
    if (e instanceof BpfscriptError) return renderAll(e.diagnostics, new Map([['unit.bt', src]]));
    throw e;
  }
  throw new Error(`compiled: ${src}`);
}

test('tracepoint args: offsets and types from the recorded format', () => {
  const g = build('tracepoint:syscalls:sys_enter_openat { printf("%s %d\\n", str(args->filename), args->flags); }');
  assert.equal(g.meta.probes.map((p) => [p.progName, p.name, p.attach]), [['probe_0', 'tracepoint:syscalls:sys_enter_openat', { category: 'syscalls', name: 'sys_enter_openat' }]]);
  // filename at 24, flags at 32 in the record, as the format says.
  assert.match(g.ir!, /getelementptr i8, ptr %\d+, i64 24[^\n]*\n[^\n]*\n\s*%\d+ = load i64/);
  assert.match(g.ir!, /getelementptr i8, ptr %\d+, i64 32/);
  const printf = g.meta.events.find((e) => e.fn === 'printf')!;
  assert.equal(printf.data, { format: '%s %d\n', layout: { args: [{ type: { kind: 'string', size: 64, truncates: true }, offset: 8 }, { type: { kind: 'int', bits: 64, signed: false }, offset: 72 }], size: 80 } });
  const elf = ElfFile.fromBuffer(g.elf);
  assert.equal(elf.programs().map((p) => p.section.name), ['tracepoint/syscalls/sys_enter_openat']);
});

test('kernel struct -> access follows the BTF layout', () => {
  const g = build('BEGIN { printf("%d %s\\n", curtask->pid, curtask->real_parent->comm); }');
  // pid: 4 bytes at +8; real_parent: 8 bytes at +32; comm: 16 bytes at +16, each read with probe_read_kernel (113).
  assert.match(g.ir!, /add i64 %curtask, 8,[^\n]*\n[^\n]*\n\s*%\d+ = call i64 inttoptr \(i64 113 to ptr\)\(ptr nonnull %kfield, i32 4,/);
  assert.match(g.ir!, /add i64 %curtask1, 32,[^\n]*\n[^\n]*\n[^\n]*i32 8,/);
  assert.match(g.ir!, /add i64 %\d+, 16,[^\n]*\n[^\n]*\n[^\n]*inttoptr \(i64 113 to ptr\)\(ptr nonnull %kfield\d, i32 16,/);
});

test('casts to kernel structs, nested members and pointers', () => {
  const g = build('kprobe:vfs_read { $f = (struct file *)arg0; @[str($f->f_path.dentry->d_name.name)] = count(); }');
  assert.equal(g.meta.probes[0].attach, { func: 'vfs_read', offset: 0, retprobe: false, via: 'kprobe' });
  // f_path.dentry at +8, then d_name.name at +16 (d_name at 8, name at 8 within it), then the string (115).
  assert.match(g.ir!, /add i64 %\d+, 8,[^\n]*\n[^\n]*\n[^\n]*i32 8,/);
  assert.match(g.ir!, /add i64 %\d+, 16,[^\n]*\n[^\n]*\n[^\n]*i32 8,/);
  assert.match(g.ir!, /inttoptr \(i64 115 to ptr\)\(ptr nonnull %\w+, i32 64,/);
});

test('kfunc arguments come from the BTF prototype', () => {
  const g = build('kfunc:vfs_read { @[args->count] = count(); } kretfunc:ksys_read { @r = max(retval); }');
  assert.equal(g.meta.probes.map((p) => [p.name, (p.attach as KfuncAttach).retSlot]), [['kfunc:vmlinux:vfs_read', 4], ['kretfunc:vmlinux:ksys_read', 3]]);
  assert.equal(ElfFile.fromBuffer(g.elf).programs().map((p) => p.section.name), ['fentry/vfs_read', 'fexit/ksys_read']);
});

test('maps and aggregations: kinds, keys and per-CPU values', () => {
  const g = build('kprobe:vfs_read { @c[comm] = count(); @s = sum(arg2); @h = hist(arg2); @l = lhist(arg2, 0, 100, 10); @st = stats(arg2); @a = avg(arg2); @m = max(arg2); @v[pid, "x"] = 1; }');
  // Sorted by name; a keyless map is a one-entry array (u32 key); hist holds 66 buckets, lhist 10 + 2.
  assert.equal(g.meta.maps.map((m) => [m.name, m.aggregate ?? null, m.keySize, m.valueSize, m.perCpu]), [
    ['@a', 'avg', 4, 16, true], ['@c', 'count', 16, 8, true], ['@h', 'hist', 4, 528, true], ['@l', 'lhist', 4, 96, true],
    ['@m', 'max', 4, 16, true], ['@s', 'sum', 4, 8, true], ['@st', 'stats', 4, 16, true], ['@v', null, 16, 8, false],
  ]);
  assert.ok(ElfFile.fromBuffer(g.elf).section('.maps'), 'maps are BTF-defined globals in .maps');
});

test('wildcards expand over the fake kernel\'s functions and tracepoints', () => {
  // Per-match kprobes: the fake kernel refuses kprobe_multi links.
  const k = build('kprobe:vfs_* { @[func] = count(); }');
  assert.equal(k.meta.probes.map((p) => p.name).sort(), ['kprobe:vfs_read', 'kprobe:vfs_write']);
  const t = build('tracepoint:syscalls:sys_enter_* { @[probe] = count(); }');
  assert.equal(t.meta.probes.map((p) => p.name), ['tracepoint:syscalls:sys_enter_openat', 'tracepoint:syscalls:sys_enter_read']);
});

test('kaddr() resolves through the fake kallsyms', () => {
  const g = build('BEGIN { printf("%lx\\n", kaddr("jiffies")); }');
  assert.match(g.ir!, new RegExp(`i64 ${BigInt.asIntN(64, 0xffffffff83a05000n)}`));
});

test('errors name the span, as bpftrace renders them', () => {
  assert.is(failure('tracepoint:syscalls:sys_enter_openat { @[args->nope] = count(); }'), [
    "unit.bt:1:48-52: ERROR: tracepoint tracepoint:syscalls:sys_enter_openat has no field named 'nope'",
    'tracepoint:syscalls:sys_enter_openat { @[args->nope] = count(); }',
    '                                               ~~~~',
    'HINT: its fields are: __syscall_nr, dfd, filename, flags, mode',
    '',
  ].join('\n'));
  assert.is(failure('kprobe:vfs_read { $f = (struct file *)arg0; print($f->nope); }').split('\n')[0], "unit.bt:1:55-59: ERROR: struct file has no member named 'nope'");
  assert.is(failure('tracepoint:syscalls:sys_enter_nothere { }').split('\n')[0], 'unit.bt:1:1-38: ERROR: tracepoint not found: syscalls:sys_enter_nothere');
  assert.is(failure('BEGIN { @x = 1; @x = "a"; }').split('\n')[0], 'unit.bt:1:22-25: ERROR: map @x assigned string[2], but it was first assigned int64');
  assert.is(failure('kfunc:nothere { }').split('\n')[0], "unit.bt:1:1-14: ERROR: kfunc:nothere: the kernel's BTF has no function named nothere");
  assert.is(failure('kprobe:vfs_read { $x = (struct nothere *)arg0; }').split('\n')[0], "unit.bt:1:25-41: ERROR: unknown type 'struct nothere'");
  assert.is(failure('BEGIN { printf("%d\\n", kaddr("nothere")); }').split('\n')[0], 'unit.bt:1:30-39: ERROR: Failed to resolve kernel symbol: nothere');
  assert.match(failure('uprobe:/opt/nothere:main { }'), /ERROR: binary not found: \/opt\/nothere/);
});

test.run();
