// In-kernel functions added for bpftrace 0.17 parity: strcontains, macaddr, cgroupid, reg, kptr,
// uptr, plus offsetof (bpftrace ≥ 0.18) and len (≥ 0.21). Each runs in the kernel on a deterministic workload and,
// where bpftrace 0.17 has the function, prints exactly what bpftrace prints.

import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from './child';
import { existsSync, mkdirSync, rmdirSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bpfscript, fixture, leakedPrograms, sameAsBpftrace } from './helpers';
import { formatMac } from '../src/functions/macaddr';

// Other sessions on this machine may have programs loaded: only ours must be gone.
test.after.each(() => {
  assert.equal(leakedPrograms(), []);
});

/** Asserts a compile error: exit 1, the message, the last occurrence of `underline` underlined, and a hint. */
function refused(prog: string, message: string, underline: string, hint?: string): void {
  const r = bpfscript(['-e', prog]);
  assert.is(r.status, 1, r.stderr);
  assert.ok(r.stderr.includes(`ERROR: ${message}`), r.stderr);
  const lines = r.stderr.split('\n');
  const at = lines.findIndex((l) => l.includes(`ERROR: ${message}`));
  const col = prog.lastIndexOf(underline);
  assert.is(lines[at + 2], ' '.repeat(col) + '~'.repeat(underline.length), r.stderr);
  if (hint) assert.ok(lines[at + 3]?.startsWith(`HINT: ${hint}`), r.stderr);
  assert.not.match(r.stderr, /\n\s+at /);
}

test('strcontains on literals: found, missing, empty needle, empty haystack, at the end: as bpftrace', () => {
  const out = sameAsBpftrace('BEGIN { printf("%d %d %d %d %d %d\\n", strcontains("hello world", "lo w"), strcontains("hello", "xyz"), strcontains("abc", ""), strcontains("", "a"), strcontains("abcd", "cd"), strcontains("ab", "abc")); exit(); }');
  assert.is(out, 'Attaching 1 probe...\n1 0 1 0 1 0\n\n\n');
});

test('uprobe: macaddr of a user pointer, reg("di") is arg0, reg("si") arg1, strcontains on str(): as bpftrace', () => {
  const bin = fixture('regs');
  const prog = `uprobe:${bin}:take_mac { printf("%s %d %d\\n", macaddr(arg0), reg("di") == arg0, reg("si")); @[macaddr(arg0)] = count(); }
uprobe:${bin}:take_name { printf("%s %d %d\\n", str(arg0), strcontains(str(arg0), "sshd"), strcontains(str(arg0), "d-")); }`;
  const out = sameAsBpftrace(prog, ['-c', bin]);
  assert.is(
    out,
    'Attaching 2 probes...\n00:1A:2B:3C:4D:5E 1 100\nDE:AD:BE:EF:00:01 1 101\n00:1A:2B:3C:4D:5E 1 102\n' +
      'sshd-session 1 1\nbash 0 0\nsystemd-journald 0 1\nsshd 1 0\n\n\n@[DE:AD:BE:EF:00:01]: 1\n@[00:1A:2B:3C:4D:5E]: 2\n',
  );
});

// bpftrace 0.17 tries only the first (haystack capacity - needle capacity) positions, so a needle
// that is not a literal (a 64-byte str()) is never found in a shorter haystack; bpfscript searches
// every position, as newer bpftrace does.
test('strcontains with a needle read at run time searches the whole haystack', () => {
  const bin = fixture('regs');
  const r = bpfscript(['-e', `uprobe:${bin}:take_name { printf("%s %d %d %d\\n", str(arg0 + 2), strcontains("systemd-journald", str(arg0 + 2)),
    strcontains(str(arg0), str(arg0 + 1)), strcontains(str(arg0 + 1), str(arg0))); }`, '-c', bin]);
  assert.is(r.stderr, '');
  assert.is(r.stdout, 'Attaching 1 probe...\nhd-session 0 1 0\nsh 0 1 0\nstemd-journald 1 1 0\nhd 0 1 0\n\n\n');
});

test('macaddr of a 6-byte array member of a struct in user memory: as bpftrace', () => {
  const bin = fixture('regs');
  const out = sameAsBpftrace(`struct mac { unsigned char a[6]; } uprobe:${bin}:take_mac { printf("%s\\n", macaddr(((struct mac *)arg0)->a)); }`, ['-c', bin]);
  assert.is(out, 'Attaching 1 probe...\n00:1A:2B:3C:4D:5E\nDE:AD:BE:EF:00:01\n00:1A:2B:3C:4D:5E\n\n\n');
});

test('macaddr text: upper-case hex pairs', () => {
  const v = new DataView(Uint8Array.from([0, 0xab, 0x0c, 0xff, 1, 0x10]).buffer);
  assert.is(formatMac(v, 0), '00:AB:0C:FF:01:10');
});

test('kptr and uptr keep the value: as bpftrace', () => {
  const out = sameAsBpftrace('BEGIN { $p = kptr(0x10); $u = uptr(0x20); printf("%d %d %d\\n", $p, $u, kptr($u) + 1); exit(); }');
  assert.is(out, 'Attaching 1 probe...\n16 32 33\n\n\n');
});

test('kptr marks an address as kernel memory for str()', () => {
  const r = bpfscript(['-e', 'BEGIN { printf("%s\\n", str(kptr((uint64)curtask + offsetof(struct task_struct, comm)))); exit(); }']);
  assert.is(r.stderr, '');
  assert.is(r.stdout, 'Attaching 1 probe...\nnode\n\n\n');
});

const CG_ROOT = '/sys/fs/cgroup/unified';
test('cgroupid of a cgroup2 directory is its inode, as bpftrace resolves it', () => {
  if (!existsSync(CG_ROOT)) return;
  const dir = `${CG_ROOT}/bpfscript-cgroupid-test-${process.pid}`;
  mkdirSync(dir, { recursive: true });
  try {
    const ino = statSync(dir, { bigint: true }).ino;
    const out = sameAsBpftrace(`BEGIN { printf("%d %d\\n", cgroupid("${dir}"), cgroupid("${CG_ROOT}")); exit(); }`);
    assert.is(out, `Attaching 1 probe...\n${ino} ${statSync(CG_ROOT, { bigint: true }).ino}\n\n\n`);
  } finally {
    rmdirSync(dir);
  }
});

test('cgroup equals cgroupid() of the cgroup the traced process runs in', () => {
  if (!existsSync(CG_ROOT)) return;
  const dir = `${CG_ROOT}/bpfscript-cgroupid-member-${process.pid}`;
  mkdirSync(dir, { recursive: true });
  const bin = fixture('regs');
  // The workload moves itself into the cgroup, then becomes the fixture (-c takes no shell syntax).
  const wrapper = join(tmpdir(), `bpfscript-incg-${process.pid}.sh`);
  writeFileSync(wrapper, `#!/bin/sh\necho $$ > ${dir}/cgroup.procs\nexec ${bin}\n`, { mode: 0o755 });
  try {
    const r = bpfscript(['-e', `uprobe:${bin}:take_mac { printf("%d %d\\n", cgroup == cgroupid("${dir}"), cgroup == cgroupid("${CG_ROOT}")); }`, '-c', wrapper]);
    assert.is(r.stderr, '');
    assert.is(r.stdout, 'Attaching 1 probe...\n1 0\n1 0\n1 0\n\n\n');
  } finally {
    unlinkSync(wrapper);
    rmdirSync(dir);
  }
});

test('reg in perf-event probes (interval): as bpftrace', () => {
  const out = sameAsBpftrace('interval:ms:10 { printf("%d %d\\n", reg("sp") != 0, reg("ip") != 0); exit(); }');
  assert.is(out, 'Attaching 1 probe...\n1 1\n\n\n');
});

test('offsetof: kernel structs (nested members too) and script structs', () => {
  const r = bpfscript(['-e', `struct s { int a; long b; struct { char c; int d; } n; } struct i32 { int v; }
BEGIN { $t = (uint64)curtask;
  printf("%d %d %d %d\\n", ((struct i32 *)kptr($t + offsetof(struct task_struct, tgid)))->v == pid,
    offsetof(struct task_struct, se.vruntime) == offsetof(struct task_struct, se) + offsetof(struct sched_entity, vruntime),
    offsetof(struct s, b), offsetof(struct s, n.d));
  exit(); }`]);
  assert.is(r.stderr, '');
  assert.is(r.stdout, 'Attaching 1 probe...\n1 1 8 20\n\n\n');
});

test('len counts the keys of hash and aggregation maps, after deletes, in conditions (newer bpftrace)', () => {
  const r = bpfscript(['-e', `BEGIN { @a[1] = 1; @a[2] = 2; @a[3] = 3; @c["x"] = count(); @c["y"] = count(); @c["x"] = count(); @h[1] = sum(5);
  printf("%d %d %d\\n", len(@a), len(@c), len(@h)); delete(@a[2]); printf("%d\\n", len(@a));
  if (len(@a) == 2) { printf("two\\n"); } exit(); }`]);
  assert.is(r.stderr, '');
  assert.is(r.stdout, 'Attaching 1 probe...\n3 2 1\n2\ntwo\n\n\n@a[1]: 1\n@a[3]: 3\n@c[y]: 1\n@c[x]: 2\n@h[1]: 5\n');
});

test('len grows with each new key a uprobe adds', () => {
  const bin = fixture('regs');
  const r = bpfscript(['-e', `uprobe:${bin}:take_name { @[str(arg0)] = arg1; printf("%d\\n", len(@)); } uprobe:${bin}:take_mac { @m[macaddr(arg0)] = arg1; printf("mac %d\\n", len(@m)); }`, '-c', bin]);
  assert.is(r.stderr, '');
  assert.is(r.stdout, 'Attaching 2 probes...\nmac 1\nmac 2\nmac 2\n1\n2\n3\n4\n\n\n@[sshd-session]: 0\n@[bash]: 1\n@[systemd-journald]: 2\n@[sshd]: 3\n@m[DE:AD:BE:EF:00:01]: 101\n@m[00:1A:2B:3C:4D:5E]: 102\n');
});

test('argument and probe-type errors: span and hint', () => {
  refused('tracepoint:syscalls:sys_enter_getppid { @ = reg("ip"); }', 'reg() is not available in tracepoint probes', 'reg("ip")', 'reg() works in kprobe');
  refused('kfunc:vfs_read { @ = reg("ip"); }', 'reg() is not available in kfunc probes: their context holds no registers', 'reg("ip")', 'reg() works in kprobe');
  refused('BEGIN { @ = reg("ip"); }', 'reg() is not available in BEGIN probes', 'reg("ip")', 'reg() works in kprobe');
  refused(`uprobe:${fixture('regs')}:main { @ = reg("xyz"); }`, "'xyz' is not a valid register on this architecture (x86_64)", '"xyz"', 'registers: r15');
  refused('BEGIN { @ = macaddr("abcdef"); }', 'macaddr() does not support literal string arguments', '"abcdef"', 'pass a 6-byte array');
  refused('BEGIN { @ = macaddr(comm); }', 'macaddr() argument must be 6 bytes in size', 'comm');
  refused('BEGIN { @ = strcontains(comm, 5); }', 'strcontains() only supports string arguments (integer provided)', '5', 'read memory as a string first');
  refused('BEGIN { @ = kptr(comm); }', 'kptr() only supports integer or pointer arguments (string provided)', 'comm');
  refused('BEGIN { @ = cgroupid("/nonexistent/cg"); }', 'Failed to get `cgroupid` for path: "/nonexistent/cg": No such file or directory', '"/nonexistent/cg"', 'name a cgroup directory');
  refused('BEGIN { @ = cgroupid("/tmp"); }', 'Failed to get `cgroupid` for path: "/tmp": not a cgroup filesystem', '"/tmp"', 'cgroup ids exist only on cgroupfs');
  refused('BEGIN { @ = offsetof(struct task_struct, pidd); }', "'struct task_struct' has no member named 'pidd'", 'offsetof(struct task_struct, pidd)', "did you mean 'pid'?");
  refused('BEGIN { @x = 1; @y = len(@x); }', 'call to len() expects a map with explicit keys (non-scalar map)', '@x', 'a keyless map always holds one value');
  refused('BEGIN { @q[1] = 1; @z = len(@q[1]); }', 'len() acts on a whole map, not on one of its entries', '@q[1]', 'write len(@q)');
  refused('BEGIN { @ = offsetof(struct nope_xyz, a); }', 'offsetof() 1st argument is not of a record type: struct nope_xyz', 'struct nope_xyz', 'kernel types come from');
});

test('a count() map compares as its value, as in newer bpftrace (0.17 refuses it; see tools-parity)', () => {
  const r = bpfscript(['-e', 'BEGIN { @c = count(); if (@c > 0) { printf("big\\n"); } exit(); }']);
  assert.is(r.stderr, '');
  assert.is(r.stdout, 'Attaching 1 probe...\nbig\n\n\n@c: 1\n');
  assert.is.not(spawnSync('bpftrace', ['-e', 'BEGIN { @c = count(); if (@c > 0) { printf("big\\n"); } exit(); }']).status, 0);
});

test.run();
