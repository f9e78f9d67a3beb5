// The differential suite: every script of the corpus below runs under bpftrace 0.17 and under
// bpfscript, tracing the same deterministic workload (test/fixtures/diffload.c, started with -c),
// in text and where marked in JSON; the normalized stdouts must be identical. A difference fails
// the script's test and prints both sides.
//
// Normalization only forgives what bpftrace itself leaves to chance: entries of one map whose
// values tie print in the kernel's hash order, so runs of consecutive entries with equal sort
// values are sorted. Everything else (values, order of unequal values, layout) must match exactly.
// Scripts stay away from spec.md's "Known differences" (signed division, hist values ≥ 2^32,
// buf() keys of computed length, kstack(raw)/ustack(raw), strcontains() of non-literal needles).
// Kernel stacks lose the one frame that other tracers on the machine make come and go, and
// wall-clock times that differ between the two runs are masked per script. User symbols and
// stacks come from uprobes on the workload's fixed call chain, printed both after it exited
// (unresolved addresses) and while it lingers. Lost events are compared by shape at the end.

import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { execFileSync, spawn, spawnSync } from './child';
import { cpus } from 'node:os';
import { BIN, fixture, leakedPrograms, renamedFixture } from './helpers';

/**
 * bpftrace's -c child reads its start signal from a pipe under the name "bpftrace" before it
 * execs, and that read is traced or not depending on timing: only the workload itself counts.
 */
const ONLY_WORKLOAD = '/pid == cpid && comm == "diffload"/';
const R = 'tracepoint:syscalls:sys_enter_read ' + ONLY_WORKLOAD;
const W = 'tracepoint:syscalls:sys_enter_write ' + ONLY_WORKLOAD;
const L = 'tracepoint:syscalls:sys_enter_lseek ' + ONLY_WORKLOAD;
const G = 'tracepoint:syscalls:sys_enter_getppid ' + ONLY_WORKLOAD;
/**
 * prctl renames; not the exec's own rename, whose old name is the tracer's way of starting -c, nor
 * the workload's first rename, which only sets the bytes after later names' NULs (diffload.c).
 */
const N = 'tracepoint:task:task_rename /pid == cpid && args->newcomm != "diffload" && args->newcomm != "diffload-primer"/';
/** lseek offsets below 2^32, for hist() (see the known differences). */
const L32 = 'tracepoint:syscalls:sys_enter_lseek /pid == cpid && comm == "diffload" && args->offset < 4294967296/';

const workload = fixture('diffload');
/**
 * The fixture's call chain: 4 hits with arg2 = 1, 2, 3 (via diff_outer) and 4 (from main). User
 * stacks stop at 4 frames: past main's caller the walk follows whatever the C library left in the
 * frame pointer (the same address every run: a symbol of size 0, which resolves to nothing).
 */
const UI = `uprobe:${workload}:diff_inner /pid == cpid/`;
/** Called after all syscalls; with a linger argument the process then stays alive for a second. */
const UD = `uprobe:${workload}:diff_done /pid == cpid/`;
/**
 * Prints the maps while the process lives, so user symbols resolve in both tools: from diff_done,
 * while the process lingers. bpftrace 0.17 kills the -c process before its exit-time dump (where
 * it prints 0x… for them: see spec.md, Known differences), so the maps are cleared first.
 */
const LINGER = { args: '1', script: (body: string, maps: string[]) => `${body} ${UD} { ${maps.map((m) => `print(${m}); clear(${m});`).join(' ')} exit(); }` };
const X = 'tracepoint:syscalls:sys_enter_execve /pid == cpid/';
const KR = 'kaddr("vfs_read")';
const KW = 'kaddr("vfs_write")';
/** Wall-clock times of events: the two tools run seconds apart. */
const CLOCK: [RegExp, string][] = [[/\d\d:\d\d:\d\d/g, 'HH:MM:SS'], [/\d{4}-\d\d-\d\d/g, 'YYYY-MM-DD']];

interface Case {
  name: string;
  script: string;
  /** Also compare -f json output. */
  json?: boolean;
  /** A difference found by this suite in code outside the output layer, open until fixed there. */
  pending?: string;
  /** Words after the workload in -c. */
  args?: string;
  /** Run both tools with --unsafe. */
  unsafe?: boolean;
  /** Replacements applied to both outputs before comparing (times that legitimately differ). */
  mask?: [RegExp, string][];
}

const corpus: Case[] = [
  // count
  { name: 'count, keyless', script: `${G} { @ = count(); }`, json: true },
  { name: 'count by remainder (ties)', script: `${R} { @[args->count % 7] = count(); }`, json: true },
  { name: 'count by every write size (many ties)', script: `${W} { @[args->count] = count(); }`, json: true },
  { name: 'count by negative keys', script: `${R} { @[args->count - 50] = count(); }` },
  { name: 'count by whence, named map', script: `${L} { @seeks[args->whence] = count(); }` },
  // sum
  { name: 'sum, keyless', script: `${R} { @ = sum(args->count); }`, json: true },
  { name: 'sum by key', script: `${W} { @bytes[args->count % 5] = sum(args->count); }` },
  { name: 'sum, large values', script: `${L} { @ = sum(args->offset); }`, json: true },
  { name: 'sum of negative amounts', script: `${W} { @neg = sum(args->count - 600); }`, json: true },
  { name: 'sum of a constant', script: `${G} { @two = sum(2); }` },
  // min / max
  { name: 'min and max, keyless', script: `${R} { @mn = min(args->count); @mx = max(args->count); }`, json: true },
  { name: 'min and max by whence', script: `${L} { @mn[args->whence] = min(args->offset); @mx[args->whence] = max(args->offset); }`, json: true },
  { name: 'min of negative amounts', script: `${W} { @lo = min(args->count - 500); @hi = max(args->count - 500); }` },
  // avg / stats
  { name: 'avg, keyless', script: `${W} { @ = avg(args->count); }`, json: true },
  { name: 'avg by key', script: `${W} { @[args->count % 3] = avg(args->count); }`, json: true },
  { name: 'stats, keyless', script: `${R} { @ = stats(args->count); }`, json: true },
  { name: 'stats by key', script: `${L} { @[args->whence] = stats(args->offset); }`, json: true },
  { name: 'avg and stats of negative amounts', script: `${W} { @a = avg(args->count - 900); @s = stats(args->count - 900); }` },
  // hist
  { name: 'hist of read sizes', script: `${R} { @ = hist(args->count); }`, json: true },
  { name: 'hist of write sizes', script: `${W} { @sizes = hist(args->count); }`, json: true },
  { name: 'hist by whence', script: `${L32} { @[args->whence] = hist(args->offset); }`, json: true },
  { name: 'hist with negatives and zero', script: `${W} { @ = hist(args->count - 500); }`, json: true },
  { name: 'hist of negative constants', script: 'BEGIN { @h = hist(-1); @h = hist(-100); @h = hist(0); @h = hist(3); exit(); }', json: true },
  { name: 'hist of one value', script: `${G} { @one = hist(1); }`, json: true },
  { name: 'hist of zero', script: `${G} { @zero = hist(0); }`, json: true },
  { name: 'hist, up to 2G', script: `${L32} { @far = hist(args->offset); }`, json: true },
  { name: 'hist by string key', script: `${N} { @[args->newcomm] = hist(1); }`, json: true },
  // lhist
  { name: 'lhist inside the range', script: `${W} { @ = lhist(args->count, 0, 1000, 100); }`, json: true },
  { name: 'lhist below and above', script: `${W} { @ = lhist(args->count, 100, 500, 50); }`, json: true },
  { name: 'lhist with a step that does not divide', script: `${W} { @ = lhist(args->count, 0, 1000, 300); }` },
  { name: 'lhist with one bucket', script: `${W} { @ = lhist(args->count, 0, 1000, 1000); }`, json: true },
  { name: 'lhist by key', script: `${R} { @[args->count % 2] = lhist(args->count, 0, 100, 10); }`, json: true },
  { name: 'lhist of offsets, step 1', script: `${L} { @ = lhist(args->offset, 0, 20, 1); }` },
  // plain values, strings, tuples
  { name: 'last value per key', script: `${R} { @[args->count % 4] = args->count; }`, json: true },
  { name: 'string values', script: `${N} { @last = args->newcomm; @prev[args->newcomm] = args->oldcomm; }`, json: true },
  { name: 'string keys', script: `${N} { @[args->newcomm] = count(); }`, json: true },
  { name: 'comm as key', script: `${G} { @[comm] = count(); }`, json: true },
  { name: 'tuple keys of integers', script: `${L} { @[args->whence, args->offset % 4] = count(); }`, json: true },
  { name: 'tuple keys of strings', script: `${N} { @[args->oldcomm, args->newcomm] = count(); }`, json: true },
  { name: 'tuple keys mixing strings and integers', script: `${N} { @[7, args->newcomm] = sum(3); }`, json: true },
  { name: 'ternary string key', script: `${R} { @[args->count > 50 ? "big" : "small"] = count(); }` },
  { name: 'if / else into two maps', script: `${W} { if (args->count < 100) { @small = count(); } else { @large = count(); } }` },
  { name: 'compound assignment', script: `${R} { @total += args->count; @n += 1; }`, json: true },
  { name: 'probe builtin as key', script: `${R} { @[probe] = count(); } ${W} { @[probe] = count(); }` },
  // several maps and END
  { name: 'several maps in name order', script: `${R} { @b = count(); @a = sum(args->count); @A = max(args->count); @_ = min(args->count); @a1 = hist(args->count); }` },
  { name: 'END printf after events', script: `${G} { @ = count(); } END { printf("end of trace\\n"); }` },
  { name: 'BEGIN and END printf around maps', script: `BEGIN { printf("start\\n"); } ${R} { @r = count(); } END { printf("stop\\n"); }`, json: true },
  { name: 'every aggregation at once', script: `${W} { @c = count(); @s = sum(args->count); @mn = min(args->count); @mx = max(args->count); @a = avg(args->count); @st = stats(args->count); @h = hist(args->count); @l = lhist(args->count, 0, 1000, 250); }`, json: true },
  // printf
  { name: 'printf integers', script: `${L} { printf("%d %u %x %X %o|%5d|%-5d|%05d\\n", args->offset, args->whence, args->offset, args->offset, args->offset, args->whence, args->whence, args->whence); }` },
  { name: 'printf negative values', script: `${R.replace('"/', '" && args->count < 10/')} { printf("%d %ld %lld\\n", args->count - 5, args->count - 5, args->count - 5); }` },
  { name: 'printf strings', script: `${N} { printf("[%s] [%10s] [%-10s] [%.3s]\\n", args->newcomm, args->newcomm, args->oldcomm, args->newcomm); }`, json: true },
  { name: 'printf percent and chars', script: `${N} { printf("100%% %c%c\\n", 65, 66); }` },
  { name: 'printf escapes', script: `BEGIN { printf("tab\\tquote\\"backslash\\\\ hex\\x41 oct\\101\\n"); exit(); }`, json: true },
  { name: 'printf without newline, then maps', script: `${G} { @ = count(); } END { printf("no newline"); }` },
  // print, clear, zero, delete at END (print in a probe shows the map when the event is handled,
  // which is timing-dependent by design)
  { name: 'print a count map', script: `${R} { @[args->count % 5] = count(); } END { print(@); }`, json: true },
  { name: 'print with top', script: `${W} { @[args->count % 10] = sum(args->count); } END { print(@, 3); }`, json: true },
  { name: 'print with top and div', script: `${W} { @[args->count % 10] = sum(args->count); } END { print(@, 4, 10); }`, json: true },
  { name: 'print a hist with div', script: `${R} { @h = hist(args->count); } END { print(@h, 0, 2); }`, json: true },
  // Equal totals: bpftrace 0.17 orders histograms and stats by the key's bytes, then takes the top N.
  { name: 'print hists and stats with top: ties in key-byte order', script: 'BEGIN { @[1] = hist(10); @[2] = hist(20); @[256] = hist(3); @[3] = hist(30); print(@, 2); print(@, 10); @s[300] = stats(3); @s[2] = stats(3); @s[1] = stats(3); @l["b"] = lhist(1, 0, 10, 1); @l["a"] = lhist(2, 0, 10, 1); print(@s, 2); exit(); }', json: true },
  { name: 'print an lhist and stats', script: `${W} { @l = lhist(args->count, 0, 1000, 200); @s[1] = stats(args->count); } END { print(@l); print(@s); }`, json: true },
  { name: 'print values', script: `BEGIN { print(123); print(-5); print("text"); print((1, "two")); exit(); }`, json: true },
  { name: 'clear at END', script: `${R} { @[args->count % 3] = count(); @keep = count(); } END { clear(@); }`, json: true },
  { name: 'zero at END', script: `${R} { @[args->count % 3] = count(); @h = hist(args->count); } END { zero(@); zero(@h); }`, json: true },
  { name: 'clear and zero keyless aggregations', script: `${W} { @c = count(); @h = hist(args->count); @a = avg(args->count); @m = min(args->count); } END { clear(@c); clear(@h); zero(@a); zero(@m); }` },
  { name: 'delete in a probe', script: `${R} { @[args->count % 4] = count(); if (args->count == 99) { delete(@[1]); } }`, json: true },
  { name: 'delete plain values at END', script: `${R} { @[args->count % 5] = args->count; } END { delete(@[1]); delete(@[3]); }`, json: true },
  { name: 'print after clear prints an empty map', script: `${G} { @x[1] = count(); } END { clear(@x); print(@x); printf("after\\n"); }`, json: true },
  // constants through BEGIN
  { name: 'hist of powers of two', script: 'BEGIN { @h = hist(1024); @h = hist(1048576); @h = hist(1073741824); @h = hist(4294967295); @h = hist(1023); exit(); }', json: true },
  { name: 'lhist at its edges', script: 'BEGIN { @l = lhist(0, 0, 100, 10); @l = lhist(99, 0, 100, 10); @l = lhist(100, 0, 100, 10); @l = lhist(-1, 0, 100, 10); exit(); }', json: true },
  { name: 'scalars of every kind', script: 'BEGIN { @i = 5; @s = "str"; @n = -7; @t = (1, "a"); exit(); }', json: true },
  { name: 'no maps at all', script: 'BEGIN { exit(); }', json: true },
  // more hist / lhist edges
  { name: 'hist at every power-of-two edge', script: `BEGIN { ${[0, 1, 2, 3, 4, 7, 8, 15, 16, 31, 32, 1023, 1024, 1025, 65535, 65536, 1048575, 1048576, 2147483647, 2147483648].map((v) => `@h = hist(${v});`).join(' ')} exit(); }`, json: true },
  { name: 'hist of a large negative', script: 'BEGIN { @h = hist(-1000000000000); @h = hist(-1); @h = hist(5); exit(); }', json: true },
  { name: 'hist by tuple key, print with top and div', script: `${W} { @[args->count % 2, args->count % 3] = hist(args->count); } END { print(@, 2); print(@, 1, 3); }`, json: true },
  { name: 'hist with div beyond every count', script: `${R} { @h = hist(args->count); } END { print(@h, 0, 1000); }`, json: true },
  { name: 'lhist with K and M labels', script: `BEGIN { @k = lhist(0, 0, 4096, 1024); @k = lhist(1024, 0, 4096, 1024); @k = lhist(3000, 0, 4096, 1024); @k = lhist(5000, 0, 4096, 1024); @m = lhist(1048576, 0, 3145728, 1048576); @m = lhist(3145728, 0, 3145728, 1048576); exit(); }`, json: true },
  { name: 'lhist with every value below or above', script: `${W} { @below = lhist(args->count, 2000, 3000, 100); @above = lhist(args->count + 5000, 0, 100, 10); }`, json: true },
  { name: 'lhist with an odd min and step', script: `${W} { @ = lhist(args->count, 7, 993, 131); }`, json: true },
  { name: 'zeroed lhist by key, printed', script: `${W} { @l[args->count % 2] = lhist(args->count, 0, 1000, 100); } END { zero(@l); print(@l); }`, json: true },
  { name: 'stats and avg ignore or honour top and div', script: `${W} { @s[args->count % 4] = stats(args->count); @a[args->count % 4] = avg(args->count); } END { print(@s, 2, 10); print(@a, 2, 10); }`, json: true },
  // kernel symbols and stacks
  { name: 'ksym as key, value, printf and print', script: `BEGIN { @k[ksym(${KR} + 3)] = count(); @v = ksym(${KW}); printf("%s|%s|%s\\n", ksym(${KR}), ksym(${KW} + 1), ksym(0)); print(ksym(${KR})); exit(); }`, json: true },
  { name: 'ksym values of several entries, print with top and div', script: `BEGIN { @x[1] = ksym(${KR}); @x[2] = ksym(${KW}); @x[3] = ksym(${KR} + 1); @y[ksym(${KW})] = 50; @y[ksym(${KR})] = 70; exit(); } END { print(@x); print(@x, 2); print(@y, 1, 20); }`, json: true },
  { name: 'ksym in tuples', script: `BEGIN { @t = (ksym(${KR}), 1, "s"); @k[ksym(${KR}), 2] = count(); print((ksym(${KW}), 3)); exit(); }`, json: true },
  { name: 'kstack keys in each mode', script: `${G} { @[kstack(1)] = count(); @p[kstack(perf, 1)] = count(); @f[kstack] = count(); @fp[kstack(perf)] = count(); }`, json: true },
  // No print() in END here: bpftrace 0.17 reads per-CPU perf buffers, and once printed END's line
  // before the task_rename events' lines.
  { name: 'kstack values of several entries, printf and print', script: `${G} { @v = kstack(1); @m[1] = kstack(1); @m[2] = kstack(1); @p[1] = kstack(perf, 1); @p[2] = kstack(perf, 1); } ${N} { printf("%s|\\n", kstack(1)); print(kstack(perf, 1)); }`, json: true },
  // user symbols and stacks: printed after the process exited (unresolved addresses) and while it lives
  { name: 'usym after the process exited', script: `${UI} { @[usym(reg("ip"))] = count(); @v[arg2] = usym(reg("ip")); @t[arg2] = (usym(reg("ip")), arg2); }`, json: true },
  { name: 'usym while the process lives', args: LINGER.args, script: LINGER.script(`${UI} { @[usym(reg("ip"))] = count(); @v[arg2] = usym(reg("ip")); @t[arg2] = (usym(reg("ip")), arg2); printf("%s\\n", usym(reg("ip"))); print(usym(reg("ip"))); }`, ['@', '@v', '@t']), json: true },
  { name: 'ustack keys after the process exited', script: `${UI} { @a[ustack(4)] = count(); @b[ustack(perf, 4)] = count(); @c[ustack(1)] = count(); @d[ustack(2), arg2 % 2] = count(); }`, json: true },
  { name: 'ustack keys while the process lives', args: LINGER.args, script: LINGER.script(`${UI} { @a[ustack(4)] = count(); @b[ustack(perf, 4)] = count(); @c[ustack(1)] = count(); @d[ustack(2), arg2 % 2] = count(); }`, ['@a', '@b', '@c', '@d']), json: true },
  { name: 'ustack values, printf and print while the process lives, print with top', args: LINGER.args, script: LINGER.script(`${UI} { @s[arg2] = ustack(4); @p = ustack(perf, 2); printf("%s|\\n", ustack(2)); print(ustack(perf, 2)); }`, ['@s', '@p']).replace('print(@s);', 'print(@s, 2); print(@s);'), json: true },
  // buffers, MAC addresses, strings
  { name: 'buf with %r, %rx and %rh', script: `${UI} { printf("%r|%rx|%rh|%r\\n", buf(arg1, 12), buf(arg1, 4), buf(arg1, 6), buf(arg0, 6)); }`, json: true },
  // All 16 bytes print, so only the full-length name: after a shorter one's NUL come stack leftovers
  // that differ from run to run (see diffload.c).
  { name: 'buf of a whole char array', script: `${N} { if (args->newcomm == "alpha-fifteen15") { printf("%rx|%r\\n", buf(args->newcomm, 16), buf(args->oldcomm, 3)); @[buf(args->newcomm, 16)] = count(); } }`, json: true },
  { name: 'buf as key, value, tuple and print', script: `${UI} { @[buf(arg1, 6)] = count(); @v[arg2] = buf(arg1, 12); @t = (buf(arg0, 2), arg2); print(buf(arg1, 3)); } END { print(@v, 2); }`, json: true },
  { name: 'macaddr as key, value, tuple, printf and print', script: `${UI} { @[macaddr(arg0)] = count(); @v[arg2] = macaddr(arg0); @t = (macaddr(arg0), arg2); printf("%s\\n", macaddr(arg0)); print(macaddr(arg0)); }`, json: true },
  { name: 'strcontains in keys, predicates and printf', script: `${N} { @[args->newcomm, strcontains(args->newcomm, "lph")] = count(); if (strcontains(args->newcomm, "ta")) { printf("%s has ta %d\\n", args->newcomm, strcontains(args->newcomm, "ta")); } }`, json: true },
  { name: 'strftime as key, value, printf and print', script: `${N} { @[strftime("%Y", nsecs)] = count(); @v = strftime("%H:%M:%S", nsecs); @k[args->newcomm == "beta"] = strftime("%Y-%m-%d", nsecs); printf("%s|\\n", strftime("at %H:%M:%S", nsecs)); print(strftime("%Y-%m-%d %H:%M:%S", nsecs)); @t = (strftime("%Y", nsecs), args->newcomm); }`, json: true, mask: CLOCK },
  // The two tools sample the wall clock of boot a few microseconds apart (spec.md, Known differences).
  { name: 'strftime of fixed times', mask: [[/\.\d{6} /g, '.ffffff ']], script: 'BEGIN { printf("%s\\n", strftime("%Y-%m-%d %H:%M:%S", 0)); printf("%s\\n", strftime("%H:%M:%S.%f %% %j", 1500000000)); @t = strftime("%a %d %b", 86400000000000); exit(); }', json: true },
  { name: 'ntop values of several entries', script: 'BEGIN { @n[1] = ntop(2, 0x0100007f); @n[2] = ntop(2, 0x0101a8c0); @k[ntop(2, 0x0100007f)] = 1; print(ntop(2, 0x0100007f)); exit(); }', json: true },
  // join, cat, system, cgroupid
  { name: 'join of argv', args: '0 two three', script: `${X} { join(args->argv); join(args->argv, ","); }`, json: true },
  { name: 'cat of files', script: 'BEGIN { cat("/proc/sys/kernel/ostype"); cat("/proc/sys/kernel/%s", "ostype"); printf("after\\n"); exit(); }', json: true },
  { name: 'system with --unsafe', unsafe: true, script: 'BEGIN { system("echo hello %d %s", 42, "there"); printf("after\\n"); system("printf no-newline"); exit(); }', json: true },
  { name: 'cgroupid as value, printf and print', script: 'BEGIN { @ = cgroupid("/sys/fs/cgroup/unified"); @k[cgroupid("/sys/fs/cgroup/unified")] = 1; printf("%d\\n", cgroupid("/sys/fs/cgroup/unified")); print(cgroupid("/sys/fs/cgroup/unified")); exit(); }', json: true },
  // every value kind in one dump
  { name: 'maps of every value kind at exit', script: `${UI} { @c = count(); @u[arg2] = usym(reg("ip")); @s[arg2] = ustack(2); @m[arg2] = macaddr(arg0); @b[arg2] = buf(arg1, 3); @h = hist(arg2); @st = stats(arg2); @str[arg2] = str(arg1); @n[arg2] = ntop(2, arg2); @k[arg2] = ksym(${KR}); @t[arg2] = (arg2, str(arg1, 3)); @l = lhist(arg2, 0, 4, 1); @a = avg(arg2); }`, json: true },
  { name: 'maps of every value kind while the process lives', args: LINGER.args, script: LINGER.script(`${UI} { @u[arg2] = usym(reg("ip")); @s[arg2] = ustack(2); @p[arg2] = ustack(perf, 1); @m[arg2] = macaddr(arg0); @n[arg2] = ntop(2, arg2); @k[arg2] = ksym(${KR}); @x = 1; }`, ['@u', '@s', '@p', '@m', '@n', '@k', '@x']), json: true },
];

// ---- normalization ----

interface Entry {
  map: string;
  sortValue: string;
  text: string;
}

/** Sort value of one text entry: the value, a stats line's average, a histogram's total. */
function textSortValue(header: string, body: string[]): string {
  const value = header.slice(header.lastIndexOf(': ') + 2);
  if (body.length) return String(body.reduce((t, l) => t + Number(/[)\]]\s+(\d+) \|/.exec(l)?.[1] ?? 0), 0));
  const avg = /average (-?\d+)/.exec(value);
  return avg ? avg[1] : value;
}

export function normalizeText(out: string): string {
  const lines = out.split('\n');
  const items: (Entry | string)[] = [];
  for (let i = 0; i < lines.length; i++) {
    // A stack in a key spans lines (`@m[` … `]: 3`): one entry.
    if (/^@\w*\[/.test(lines[i]) && !lines[i].includes(']: ')) {
      let j = i + 1;
      while (j < lines.length && !lines[j].includes(']: ') && !lines[j].startsWith('@')) j++;
      if (j < lines.length && lines[j].includes(']: ')) lines.splice(i, j - i + 1, lines.slice(i, j + 1).join('\n'));
    }
    const m = /^(@\w*)(\[[^]*\])?: /.exec(lines[i]);
    if (!m) {
      items.push(lines[i]);
      continue;
    }
    const body: string[] = [];
    // A histogram entry: its header ends with ": ", bucket lines and a blank line follow.
    if (lines[i].endsWith(': ')) {
      while (i + 1 < lines.length && /^[[(].*\|$/.test(lines[i + 1])) body.push(lines[++i]);
      if (lines[i + 1] === '') body.push(lines[++i]);
    }
    items.push({ map: m[1], sortValue: textSortValue(lines[i - body.length], body), text: [lines[i - body.length], ...body].join('\n') });
  }
  return sortTies(items).join('\n');
}

/** Sorts each run of consecutive entries of one map with the same sort value. */
function sortTies(items: (Entry | string)[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < items.length; ) {
    const it = items[i];
    if (typeof it === 'string') {
      out.push(it);
      i++;
      continue;
    }
    let j = i + 1;
    while (j < items.length && typeof items[j] !== 'string' && (items[j] as Entry).map === it.map && (items[j] as Entry).sortValue === it.sortValue) j++;
    out.push(...(items.slice(i, j) as Entry[]).map((e) => e.text).sort());
    i = j;
  }
  return out;
}

/** JSON lines: members of a map object whose values tie are sorted by key. */
export function normalizeJson(out: string): string {
  return out
    .split('\n')
    .map((line) => {
      const m = /^\{"type": "(map|hist|stats)", "data": \{("(?:[^"\\]|\\.)*"): \{(.*)\}\}\}$/.exec(line);
      if (!m) return line;
      const members = splitMembers(m[3]);
      if (!members) return line;
      const items: Entry[] = members.map(([k, v]) => ({ map: m[2], sortValue: jsonSortValue(v), text: `${k}: ${v}` }));
      return `{"type": "${m[1]}", "data": {${m[2]}: {${sortTies(items).join(', ')}}}}`;
    })
    .join('\n');
}

function jsonSortValue(v: string): string {
  if (v.startsWith('[')) return String([...v.matchAll(/"count": (\d+)/g)].reduce((t, c) => t + Number(c[1]), 0));
  const avg = /"average": (-?\d+)/.exec(v);
  return avg ? avg[1] : v;
}

/** Splits `"k": v, "k2": v2` at top-level commas; null if it is not a keyed map's object. */
function splitMembers(s: string): [string, string][] | null {
  const out: [string, string][] = [];
  let depth = 0;
  let inStr = false;
  let start = 0;
  for (let i = 0; i <= s.length; i++) {
    const c = s[i];
    if (inStr) {
      if (c === '\\') i++;
      else if (c === '"') inStr = false;
      continue;
    }
    if (c === '"') inStr = true;
    else if (c === '[' || c === '{') depth++;
    else if (c === ']' || c === '}') depth--;
    else if ((c === ',' && depth === 0 && s[i + 1] === ' ') || i === s.length) {
      const member = s.slice(start, i).trim();
      const km = /^("(?:[^"\\]|\\.)*"): (.*)$/s.exec(member);
      if (!km) return null;
      out.push([km[1], km[2]]);
      start = i + 1;
    }
  }
  return out;
}

/**
 * The kernel enters a syscall tracepoint through __traceiter_sys_enter only while more than one
 * tracer is attached to it, which other tests on the machine change at any moment (as in
 * test/stacks.test.ts): that frame is dropped from both outputs, text and JSON.
 */
export function steadyStacks(out: string): string {
  return out.replace(/^(?:\t[0-9a-f]+ | *)__traceiter_sys_enter\+\d+\n/gm, '').replace(/\\n(?:\\t[0-9a-f]+ | *)__traceiter_sys_enter\+\d+/g, '');
}

// ---- running ----

interface Side {
  stdout: string;
  stderr: string;
  status: number | null;
}

function runTool(cmd: string, args: string[]): Promise<Side> {
  return new Promise((resolve) => {
    const p = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    const timer = setTimeout(() => p.kill('SIGKILL'), 120_000);
    p.stdout.setEncoding('latin1').on('data', (d) => (stdout += d));
    p.stderr.setEncoding('latin1').on('data', (d) => (stderr += d));
    p.on('close', (status) => {
      clearTimeout(timer);
      resolve({ stdout, stderr, status });
    });
  });
}

/** Runs jobs with bounded parallelism; bpftrace's LLVM compile is the slow part, so overlap them. */
function pool<T>(jobs: (() => Promise<T>)[], width: number): Promise<T>[] {
  const results: Promise<T>[] = [];
  let next = 0;
  const starters: ((v?: unknown) => void)[] = [];
  const gates = jobs.map(() => new Promise((go) => starters.push(go)));
  const release = () => {
    if (next < jobs.length) starters[next++]();
  };
  jobs.forEach((job, i) => results.push(gates[i].then(job).finally(release)));
  for (let i = 0; i < width; i++) release();
  return results;
}


const width = Math.max(2, Math.min(6, cpus().length * 2));

interface Pair {
  bpftrace: Side;
  ours: Side;
}

const runs = new Map<string, Promise<Pair>>();
const jobs: (() => Promise<Pair>)[] = [];
const keys: string[] = [];
const pendingKeys = new Map<string, string>();
const caseOf = new Map<string, Case>();
/** DIFF_ONLY=regex runs only the scripts whose names match (while working on one difference). */
const only = process.env.DIFF_ONLY ? new RegExp(process.env.DIFF_ONLY) : null;
for (const c of corpus) {
  if (only && !only.test(c.name)) continue;
  for (const format of c.json ? ['text', 'json'] : ['text']) {
    if (c.pending) pendingKeys.set(`${c.name} (${format})`, c.pending);
    const args = [...(c.unsafe ? ['--unsafe'] : []), '-f', format, '-c', c.args ? `${workload} ${c.args}` : workload, '-e', c.script];
    keys.push(`${c.name} (${format})`);
    caseOf.set(`${c.name} (${format})`, c);
    jobs.push(async () => {
      const [theirs, ours] = [await runTool('bpftrace', args), await runTool(process.execPath, [BIN, ...args])];
      return { bpftrace: theirs, ours };
    });
  }
}
pool(jobs, width).forEach((p, i) => runs.set(keys[i], p));

for (const key of keys) {
  test(key, async () => {
    const { bpftrace, ours } = await runs.get(key)!;
    const json = key.endsWith('(json)');
    const norm = json ? normalizeJson : normalizeText;
    assert.is(bpftrace.status, 0, `bpftrace failed: ${bpftrace.stderr}`);
    assert.is(ours.status, 0, `bpfscript failed: ${ours.stderr}`);
    const prepare = (out: string) => (caseOf.get(key)!.mask ?? []).reduce((o, [re, to]) => o.replace(re, to), steadyStacks(out));
    const a = norm(prepare(ours.stdout));
    const b = norm(prepare(bpftrace.stdout));
    const pending = pendingKeys.get(key);
    if (pending) {
      // A known difference owned elsewhere: this fails once it is fixed, to drop the mark.
      assert.is.not(a, b, `now identical to bpftrace: remove the pending mark (${pending})`);
      return;
    }
    if (a !== b) {
      process.stderr.write(`\n--- ${key}\n--- bpftrace 0.17:\n${bpftrace.stdout}\n--- bpfscript:\n${ours.stdout}\n`);
    }
    assert.is(a, b);
  });
}

/**
 * Runs `cmd` until its BEGIN prints "ready", then stops it while the flood workload fires 200000
 * events into its buffers, so both tools lose events.
 */
function flooded(cmd: string, args: string[]): Promise<string> {
  const flood = renamedFixture('flood').path;
  return new Promise((resolve) => {
    const p = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'ignore'] });
    let out = '';
    let started = false;
    let idle: NodeJS.Timeout | undefined;
    const timer = setTimeout(() => p.kill('SIGKILL'), 120_000);
    p.stdout.setEncoding('latin1').on('data', (d) => {
      out += d;
      if (started || !out.includes('ready')) return;
      started = true;
      p.kill('SIGSTOP');
      spawnSync(flood, ['200000']);
      p.kill('SIGCONT');
      // bpftrace stops reading its buffers at SIGINT, and the kernel reports a perf buffer's
      // losses only with its next record: whenever the output is quiet, a few more events, until
      // the losses are printed (or ten rounds found none).
      let seen = -1;
      let rounds = 0;
      idle = setInterval(() => {
        if (out.length !== seen) seen = out.length;
        else if (/^Lost \d+ events$|"lost_events"/m.test(out) || ++rounds > 10) p.kill('SIGINT');
        else spawnSync(flood, ['100']);
      }, 300);
    });
    p.on('close', () => {
      clearInterval(idle);
      clearTimeout(timer);
      resolve(out);
    });
  });
}

/** The distinct shapes of the lines that are not the flood's own records, numbers masked. */
function shapes(out: string): string[] {
  return [...new Set(out.split('\n').filter((l) => !/^(\{"type": "printf", "data": ")?1 a/.test(l)).map((l) => l.replace(/\d+/g, 'N')))].sort();
}

test('lost events print as bpftrace 0.17 prints them, text and JSON (counts differ with buffer sizes)', async () => {
  const prog = `BEGIN { printf("ready\\n"); } tracepoint:syscalls:sys_enter_getppid /comm == "${renamedFixture('flood').comm}"/ { printf("%d %s\\n", 1, "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"); }`;
  for (const format of ['text', 'json']) {
    const args = ['-f', format, '-e', prog];
    const theirs = shapes(await flooded('bpftrace', args));
    const ours = shapes(await flooded(process.execPath, [BIN, ...args]));
    assert.ok(theirs.some((l) => /Lost N events|lost_events/.test(l)), `bpftrace lost nothing: ${theirs}`);
    assert.equal(ours, theirs);
  }
});

test('the corpus has at least 100 scripts', () => {
  assert.ok(corpus.length >= 100, `${corpus.length} scripts`);
});

test('normalization sorts only ties', () => {
  assert.is(normalizeText('@[b]: 1\n@[a]: 1\n@[c]: 2\n'), '@[a]: 1\n@[b]: 1\n@[c]: 2\n');
  assert.is.not(normalizeText('@[a]: 2\n@[b]: 1\n'), normalizeText('@[b]: 1\n@[a]: 2\n'));
  assert.is(normalizeJson('{"type": "map", "data": {"@": {"b": 1, "a": 1, "c": 2}}}'), '{"type": "map", "data": {"@": {"a": 1, "b": 1, "c": 2}}}');
  assert.is.not(normalizeJson('{"type": "map", "data": {"@": {"a": 2, "b": 1}}}'), normalizeJson('{"type": "map", "data": {"@": {"b": 1, "a": 2}}}'));
  assert.is(normalizeText('@[\n    b\n]: 1\n@[\n    a\n]: 1\n@x: 2\n'), '@[\n    a\n]: 1\n@[\n    b\n]: 1\n@x: 2\n');
  assert.is(steadyStacks('@[\n    a+1\n    __traceiter_sys_enter+5\n    b+2\n]: 1\n'), '@[\n    a+1\n    b+2\n]: 1\n');
  assert.is(steadyStacks('\tffff1 a+1\n\tffff2 __traceiter_sys_enter+5\n'), '\tffff1 a+1\n');
  assert.is(steadyStacks('{"@": {"\\n        a+1\\n        __traceiter_sys_enter+5\\n": 1}}'), '{"@": {"\\n        a+1\\n": 1}}');
});

test('nothing stays loaded after the corpus', async () => {
  await Promise.allSettled(runs.values());
  assert.equal(leakedPrograms(), []);
});

test.run();
