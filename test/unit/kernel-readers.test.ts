// The kernel and host readers of common/kernel against the fake host's recorded files and generated
// BTF: no root, no tracefs, no host BTF needed.

import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Btf, BtfFormatError } from '../../common/kernel/btf';
import { describeFunction, kernelFunctions as btfFunctions } from '../../common/kernel/btf-functions';
import { parseCpuList, possibleCpuCount } from '../../common/kernel/cpus';
import { ElfFile, ElfFormatError } from '../../common/kernel/elf';
import { filterFunctions } from '../../common/kernel/ftrace';
import { withHost } from '../../common/kernel/host';
import { kallsyms, parseKallsyms, symbolAddresses, textAddresses } from '../../common/kernel/kallsyms';
import { kernelFunctions } from '../../common/kernel/kprobe-functions';
import { ldCache, resolveLibrary } from '../../common/kernel/ldcache';
import { readMappings } from '../../common/kernel/proc-maps';
import { argumentDeclarations, fieldType, listTracepoints, readFormat, tracefsRoot } from '../../common/kernel/tracefs';
import { BpfHelper, helperName } from '../../common/kernel/bpf-helpers';
import { recordingReads, stillValid } from '../../src/cache/deps';
import { compile } from '../../src/compile';
import { FakeHost, fakeKernel, fakeKernelBtf } from '../fake-host';

const on = <T>(fn: () => T, h = fakeKernel()): T => withHost(h, fn);

test('BTF: the encoded kernel types read back with their layouts', () =>
  on(() => {
    const btf = Btf.vmlinux()!;
    assert.ok(btf, 'the fake host serves /sys/kernel/btf/vmlinux');
    const task = btf.findStruct('task_struct')!;
    assert.is(task.size, 64);
    assert.equal(btf.member(task, 'pid'), { name: 'pid', type: task.members[1].type, bitOffset: 64, bitSize: 0 });
    assert.is(btf.typeName(btf.member(task, 'real_parent')!.type), 'struct task_struct *');
    assert.is(btf.typeName(btf.member(task, 'comm')!.type), 'char[16]');
    assert.is(btf.sizeOf(btf.member(task, 'comm')!.type), 16);
    assert.is(btf.resolve(btf.member(task, 'pid')!.type).kind, 'int');
    const f = btf.findFunc('vfs_read')!;
    assert.equal(f.params.map((p) => `${btf.typeName(p.type)} ${p.name}`), ['struct file * file', 'char * buf', 'size_t count', 'loff_t * pos']);
    assert.is(btf.typeName(f.ret), 'ssize_t');
    assert.equal(btf.findEnumValue('PIDTYPE_TGID')?.value, 1n);
    assert.equal(btf.memberNames(btf.findStruct('file')!), ['f_path', 'f_flags', 'f_pos']);
    assert.is(btf.findStruct('no_such_struct'), null);
  }));

test('BTF: a bad blob is a BtfFormatError, not a crash', () => {
  assert.throws(() => new Btf(Buffer.alloc(32)), (e: unknown) => e instanceof BtfFormatError);
  const blob = fakeKernelBtf();
  assert.throws(() => new Btf(blob.subarray(0, blob.length - 200)), (e: unknown) => e instanceof BtfFormatError);
  assert.is(on(() => Btf.vmlinux(), new FakeHost()), null);
});

test('BTF functions: listed when ftrace can patch them, described for -lv', () =>
  on(() => {
    assert.equal(btfFunctions().sort(), ['ksys_read', 'vfs_read']);
    assert.equal(describeFunction('ksys_read'), ['    unsigned int fd', '    char * buf', '    size_t count', '    ssize_t retval']);
    assert.is(describeFunction('nope'), null);
  }));

test('tracefs: formats, the -lv argument lines and the event list', () =>
  on(() => {
    assert.is(tracefsRoot(), '/sys/kernel/tracing');
    const f = readFormat('syscalls', 'sys_enter_openat')!;
    assert.is(f.id, 782);
    assert.equal(f.fields.map((x) => [x.name, x.offset, x.size]), [
      ['common_type', 0, 2], ['common_flags', 2, 1], ['common_preempt_count', 3, 1], ['common_pid', 4, 4],
      ['__syscall_nr', 8, 4], ['dfd', 16, 8], ['filename', 24, 8], ['flags', 32, 8], ['mode', 40, 8],
    ]);
    assert.is(f.size, 48);
    assert.equal(fieldType(f.fields[6]), { kind: 'int', bits: 64, signed: false });
    assert.equal(argumentDeclarations('syscalls', 'sys_enter_openat'), ['int __syscall_nr', 'int dfd', 'const char * filename', 'int flags', 'umode_t mode']);
    assert.equal(argumentDeclarations('sched', 'sched_process_exec')[0], '__data_loc char[] filename');
    assert.is(readFormat('syscalls', 'sys_enter_nothere'), null);
    assert.is(readFormat('../etc', 'passwd'), null);
    assert.equal(listTracepoints(), ['syscalls:sys_enter_openat', 'syscalls:sys_exit_openat', 'syscalls:sys_enter_read', 'sched:sched_switch', 'sched:sched_process_exec']);
  }));

test('kallsyms: one parse serves text addresses, all symbols and modules', () => {
  const k = parseKallsyms('ffffffff81000000 T _stext\nffffffffc0a01000 t f\t[mod]\n\nbad line\n');
  assert.equal(k, { addrs: [0xffffffff81000000n, 0xffffffffc0a01000n], types: ['T', 't'], names: ['_stext', 'f'], modules: [undefined, 'mod'] });
  on(() => {
    assert.is(kallsyms().names.length, 10);
    assert.is(textAddresses().get('vfs_read'), 0xffffffff816d80f0n);
    assert.is(textAddresses().has('jiffies'), false);
    assert.is(symbolAddresses().addrs.get('jiffies'), 0xffffffff83a05000n);
    assert.is(symbolAddresses().hasData, true);
  });
});

test('kprobe functions: the filter list when readable, else kallsyms minus init text', () => {
  on(() => {
    const k = kernelFunctions();
    assert.is(k.source, 'available_filter_functions');
    assert.equal(k.names, ['vfs_read', 'vfs_write', 'ksys_read', 'do_sys_openat2', 'do_nanosleep', 'fake_mod_func']);
    assert.is(filterFunctions()?.length, 6);
  });
  // Without the filter list (a locked-down tracefs) kallsyms stands in.
  const noList = new FakeHost().add('/proc/kallsyms', fakeKernel().readFile('/proc/kallsyms'));
  on(() => {
    const k = kernelFunctions();
    assert.is(k.source, 'kallsyms');
    // _sinittext and _einittext themselves bound the init range: the start is inside it, the end is not.
    assert.equal(k.names.sort(), ['_einittext', '_stext', 'do_nanosleep', 'do_sys_openat2', 'fake_mod_func', 'ksys_read', 'vfs_read', 'vfs_write']);
  }, noList);
});

test('CPU lists and /proc/PID/maps', () => {
  assert.equal(parseCpuList('0-3,5,7-8\n'), [0, 1, 2, 3, 5, 7, 8]);
  assert.equal(parseCpuList(''), []);
  assert.throws(() => parseCpuList('0-a'));
  on(() => assert.is(possibleCpuCount(), 2));
  const h = fakeKernel().add('/proc/42/maps', '00400000-00452000 r-xp 00000000 08:02 173521 /usr/bin/app\n7f00-7f10 rw-p 00001000 08:02 1 /lib/x.so (deleted)\n7f20-7f30 rw-p 00000000 00:00 0 \n');
  on(() => {
    assert.equal(readMappings(42), [{ start: 0x400000n, end: 0x452000n, offset: 0n, path: '/usr/bin/app' }]);
    assert.is(readMappings(43), null);
  }, h);
});

/** A glibc-ld.so.cache1.1 image with the given soname → path entries (x86-64 libc6 flags). */
function ldSoCache(entries: [string, string][]): Buffer {
  const magic = Buffer.from('glibc-ld.so.cache1.1', 'latin1');
  const header = Buffer.alloc(48);
  magic.copy(header, 0);
  header.writeUInt32LE(entries.length, 20);
  const table = Buffer.alloc(24 * entries.length);
  let strings = '';
  const strStart = 48 + table.length;
  const str = (s: string) => {
    const off = strStart + strings.length;
    strings += `${s}\0`;
    return off;
  };
  entries.forEach(([k, v], i) => {
    table.writeInt32LE(0x0303, i * 24);
    table.writeUInt32LE(str(k), i * 24 + 4);
    table.writeUInt32LE(str(v), i * 24 + 8);
  });
  return Buffer.concat([header, table, Buffer.from(strings, 'latin1')]);
}

test('ld.so.cache: sonames resolved as the loader does, through the host', () => {
  const h = fakeKernel()
    .add('/etc/ld.so.cache', ldSoCache([['libc.so.6', '/lib/x86_64-linux-gnu/libc.so.6'], ['libz.so.1', '/lib/x86_64-linux-gnu/libz.so.1']]))
    .add('/lib/x86_64-linux-gnu/libc.so.6', 'ELF');
  on(() => {
    assert.is(ldCache().size, 2);
    assert.is(resolveLibrary('libc'), '/lib/x86_64-linux-gnu/libc.so.6');
    assert.is(resolveLibrary('c'), '/lib/x86_64-linux-gnu/libc.so.6');
    assert.is(resolveLibrary('z'), '/lib/x86_64-linux-gnu/libz.so.1');
  }, h);
});

test('ELF: a compiled object read from memory and through the host alike', () => {
  const image = on(() => compile('kprobe:vfs_read { @[comm] = count(); }', { file: 'elf.bt' }).elf);
  const mem = ElfFile.fromBuffer(image);
  // The kprobe and its fentry twin (src/semantic/twins.ts): vfs_read is in the fake kernel's BTF.
  assert.equal(mem.programs().map((p) => [p.name, p.section.name]), [['probe_0', 'kprobe/vfs_read'], ['probe_0_tw', 'fentry/vfs_read']]);
  assert.ok(mem.section('.maps') && mem.section('.BTF') && mem.section('.BTF.ext'));
  const relocs = mem.relocations(mem.section('kprobe/vfs_read')!.index);
  assert.ok(relocs.some((r) => r.symbol.name.startsWith('AT_')), 'the map is referenced by a relocation');
  const h = fakeKernel().add('/opt/obj.o', image);
  const opened = on(() => ElfFile.open('/opt/obj.o'), h);
  assert.equal(opened.sections.map((s) => s.name), mem.sections.map((s) => s.name));
  assert.throws(() => ElfFile.fromBuffer(Buffer.from('not an elf at all, not at all, but long enough to have a header..')), (e: unknown) => e instanceof ElfFormatError);
  assert.throws(() => on(() => ElfFile.open('/nope')), /ENOENT/);
});

test('helper ids: one table, named in the teaching view', () => {
  assert.is(BpfHelper.GET_CURRENT_PID_TGID, 14);
  assert.is(BpfHelper.LOOP, 181);
  assert.is(helperName(14), 'bpf_get_current_pid_tgid');
  assert.is(helperName(99999), 'helper#99999');
});

test('the compile cache records what a compile read through the host, and sees it change', () => {
  const h = fakeKernel();
  const { deps } = on(() => recordingReads(() => compile('tracepoint:syscalls:sys_enter_openat { @ = count(); }', { file: 'dep.bt' })), h);
  assert.equal(deps.map((d) => [d.path, d.kind]), [['/sys/kernel/tracing/events/syscalls/sys_enter_openat/format', 'content']]);
  on(() => assert.ok(stillValid(deps)), h);
  h.add('/sys/kernel/tracing/events/syscalls/sys_enter_openat/format', 'name: changed\n');
  on(() => assert.not.ok(stillValid(deps)), h);
});

test.run();
