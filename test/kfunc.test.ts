// kfunc/kretfunc on this machine: compiled into fentry/fexit programs with `args` typed from BTF,
// listed with -l/-lv, and refused with an explanation (this kernel refuses tracing programs with
// EPERM; they attach for real in the VM lane, test/kernel/kfunc.kernel.ts).

import { execFileSync } from './child';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { compile } from '../src/compile';
import { BpfObject, ProgType } from '../runtime/libbpf';
import { attachers } from '../runtime/attach';
import { bpfscript, leakedPrograms } from './helpers';
import { useLibbpfFeatureProbes } from '../runtime/feature-probes';

// In-process compiles ask this kernel what it allows, as the CLI does.
useLibbpfFeatureProbes();

function sections(source: string): Record<string, [string, number]> {
  const gen = compile(source, { file: 'test.bt' });
  const obj = BpfObject.openMem(gen.elf, 'kfunc_test');
  try {
    return Object.fromEntries(obj.programs().map((p) => [p.name, [p.sectionName, p.type]]));
  } finally {
    obj.close();
  }
}

test('kfunc and kretfunc (and f, fentry, fr, fexit) compile to fentry/fexit tracing programs', () => {
  assert.equal(sections('kfunc:vfs_read { } kretfunc:vfs_read { } f:vfs_write { } fentry:vmlinux:vfs_readv { } fr:vfs_write { } fexit:tcp_sendmsg { }'), {
    probe_0: ['fentry/vfs_read', ProgType.TRACING],
    probe_1: ['fexit/vfs_read', ProgType.TRACING],
    probe_2: ['fentry/vfs_write', ProgType.TRACING],
    probe_3: ['fentry/vfs_readv', ProgType.TRACING],
    probe_4: ['fexit/vfs_write', ProgType.TRACING],
    probe_5: ['fexit/tcp_sendmsg', ProgType.TRACING],
  });
});

test('args fields load from the trampoline slots at the width and signedness BTF gives them', () => {
  // do_sys_open(int dfd, const char *filename, int flags, umode_t mode): slots 0..3.
  const ir = compile('kretfunc:do_sys_open { @[args.dfd, args.mode, args.filename] = sum(retval); }', { file: 't.bt', wantIR: true }).ir!;
  const body = ir.slice(ir.indexOf('define'), ir.indexOf('\n}', ir.indexOf('define')));
  assert.match(body, /load i32, ptr %0, align/, 'dfd: an int at slot 0');
  assert.match(body, /sext i32/, 'dfd is signed');
  assert.match(body, /getelementptr i8, ptr %0, i64 24[^\n]*\n\s+%\d+ = load i16/, 'mode: a umode_t (u16) at slot 3');
  assert.match(body, /getelementptr i8, ptr %0, i64 8[^\n]*\n\s+%\d+ = load i64/, 'filename: a pointer at slot 1');
  assert.match(body, /getelementptr i8, ptr %0, i64 32[^\n]*\n\s+%\d+ = load i64/, 'retval follows the four arguments');
});

test('wildcards expand over the kernel functions BTF names, like bpftool lists them', () => {
  const funcs = execFileSync('bpftool', ['btf', 'dump', 'file', '/sys/kernel/btf/vmlinux'], { encoding: 'utf8', maxBuffer: 1 << 30 })
    .split('\n')
    .map((l) => /^\[\d+\] FUNC '(vfs_rea[^']*)'/.exec(l)?.[1])
    .filter((x): x is string => !!x)
    .sort();
  const got = Object.values(sections('kfunc:vfs_rea* { }')).map(([s]) => s.replace('fentry/', ''));
  assert.equal(got, funcs);
  assert.ok(funcs.includes('vfs_read'));
});

test('-l and -lv list kernel functions as bpftrace does, with parameters and return type', () => {
  const r = bpfscript(['-lv', 'kfunc:vfs_read']);
  assert.is(r.stdout, 'kfunc:vmlinux:vfs_read\n    struct file * file\n    char * buf\n    size_t count\n    loff_t * pos\n    ssize_t retval\n');
  assert.is(r.status, 0);
  assert.is(bpfscript(['-l', 'kretfunc:vmlinux:vfs_read']).stdout, 'kretfunc:vmlinux:vfs_read\n');
});

test('mistakes are diagnostics with spans and hints', () => {
  const cases: [string, string][] = [
    ['kfunc:vfs_reed { }', "stdin:1:1-15: ERROR: kfunc:vfs_reed: the kernel's BTF has no function named vfs_reed\nkfunc:vfs_reed { }\n~~~~~~~~~~~~~~\nHINT: list the functions that can be traced with: bpfscript -l \"kfunc:*\"\n"],
    ['kretfunc:no_such_fn_* { }', 'stdin:1:1-22: ERROR: no kernel function matches no_such_fn_*\nkretfunc:no_such_fn_* { }\n~~~~~~~~~~~~~~~~~~~~~\nHINT: list the functions that can be traced with: bpfscript -l "kretfunc:*"\n'],
    ['kfunc:vfs_read { @ = retval; }', 'stdin:1:22-28: ERROR: retval is only available in return probes (kretprobe, uretprobe), not kfunc\nkfunc:vfs_read { @ = retval; }\n                     ~~~~~~\n'],
    ['kfunc:ext4:ext4_file_read_iter { }', 'stdin:1:1-31: ERROR: kfunc on functions of module ext4 is not supported yet\nkfunc:ext4:ext4_file_read_iter { }\n~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~\nHINT: only kernel functions (kfunc:vmlinux:FUNC) can be traced with kfunc\n'],
  ];
  for (const [src, want] of cases) {
    const r = bpfscript(['--emit-elf', '/dev/null', '-e', src]);
    assert.is(r.stderr, want, src);
    assert.is(r.status, 1);
  }
  const r = bpfscript(['--emit-elf', '/dev/null', '-e', 'kfunc:vfs_read { @ = args.cnt; }']);
  assert.match(r.stderr, /has no argument named 'cnt'/);
  assert.match(r.stderr, /HINT: its fields are: file, buf, count, pos\n$/);
});

test('this kernel refuses fentry: the attacher says so and names what to use instead', () => {
  const no = attachers.get('kfunc')!.unavailable!();
  assert.ok(no, 'fentry is refused on this machine');
  assert.is(no.missing, 'this kernel refuses fentry/fexit programs (loading a BPF tracing program fails with EPERM)');
  assert.match(no.instead, /tracepoint/);
  assert.ok(attachers.get('kretfunc')!.unavailable!());
});

test('running a kfunc script here fails with exit 1 and no stack trace, leaving nothing loaded', () => {
  const r = bpfscript(['-e', 'kfunc:vfs_read { @[comm] = count(); }']);
  assert.is(r.status, 1);
  assert.match(r.stderr, /^ERROR: /);
  assert.match(r.stderr, /EPERM/);
  assert.not.match(r.stderr, /\n\s+at /);
  assert.equal(leakedPrograms(), []);
});

test.run();
