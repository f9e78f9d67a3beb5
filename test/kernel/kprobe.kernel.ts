// kprobe and kretprobe attached for real (inside the VM): arguments, return values, func, probe,
// wildcards, on a workload whose reads are known exactly; bpftrace 0.17 prints the same.

import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync } from 'node:fs';
import { release } from 'node:os';
import { bpftrace, kernelHasFprobe, reads, sameOnReads, traceCommand } from './helpers';


test('kprobe arg2 is the size of each read', () => {
  const script = 'kprobe:vfs_read /pid == cpid/ { @[arg2] = count(); }';
  sameOnReads(script, 'Attaching 1 probe...\n\n\n@[777]: 1\n@[12345]: 3\n', script);
});

test('kretprobe retval is what each read returned', () => {
  sameOnReads('kretprobe:vfs_read /pid == cpid/ { @[retval] = count(); }', 'Attaching 1 probe...\n\n\n@[777]: 1\n@[12345]: 3\n');
});

test('func and probe name the traced function', () => {
  sameOnReads('kprobe:vfs_read /pid == cpid/ { @[probe, func] = count(); }', 'Attaching 1 probe...\n\n\n@[kprobe:vfs_read, vfs_read]: 4\n');
});

test('under --compat 0.26 func is a ksym: a map of ksym() values takes it (master\'s xfsdist.bt)', () => {
  const script = 'BEGIN { @name[0] = ksym(0); } kprobe:vfs_read /pid == cpid/ { @name[tid] = func; } ' +
    'kretprobe:vfs_read /pid == cpid/ { @n[@name[tid]] = count(); printf("%s\\n", func); } END { clear(@name); }';
  const r = traceCommand(script, reads(), ['--compat', '0.26']);
  assert.is(r.status, 0, r.stderr);
  assert.is(r.stdout, 'vfs_read\nvfs_read\nvfs_read\nvfs_read\n\n\n@n[vfs_read]: 4\n', r.stderr);
});

test('kprobe:vmlinux:FUNC (bpftrace 0.22+) attaches to the kernel\'s own function', () => {
  sameOnReads('kprobe:vmlinux:vfs_read /pid == cpid/ { @[probe] = count(); }', 'Attaching 1 probe...\n\n\n@[kprobe:vfs_read]: 4\n');
});

test('kprobe wildcards attach to every match', () => {
  // Besides its reads, the static workload's start-up resolves /proc/self/exe once. With
  // kprobe_multi (6.12) the wildcard is one probe, as bpftrace 0.17 counts it; else one per match.
  const script = 'kprobe:vfs_rea* /pid == cpid/ { @[func] = count(); }';
  sameOnReads(script, `Attaching ${kernelHasFprobe() ? '1 probe' : '3 probes'}...\n\n\n@[vfs_readlink]: 1\n@[vfs_read]: 4\n`, script);
});

/**
 * The first instruction boundary after vfs_read's ftrace call site, so the kprobe is a real
 * breakpoint rather than ftrace's: with IBT the function starts endbr64 (4 bytes) then the 5-byte
 * call, so +4 is the call itself and +9 the body; without, +5. The kernel refuses an offset inside
 * an instruction (EILSEQ), so the offset comes from the booted kernel's config.
 */
function bodyOffset(): number {
  let config = '';
  try {
    config = readFileSync(`/boot/config-${release()}`, 'utf8');
  } catch {
    // no config: assume no IBT
  }
  return /^CONFIG_X86_KERNEL_IBT=y$/m.test(config) ? 9 : 5;
}

test('kprobe:FUNC+OFFSET attaches inside the function (offset passed to libbpf separately)', () => {
  const off = bodyOffset();
  // The first body instruction runs before the arguments' registers are reused: arg2 is still the size.
  const script = `kprobe:vfs_read+${off} /pid == cpid/ { @[probe, arg2] = count(); }`;
  // No bpftrace comparison: 0.17 refuses offsets it cannot check without its disassembler.
  sameOnReads(script, `Attaching 1 probe...\n\n\n@[kprobe:vfs_read+${off}, 777]: 1\n@[kprobe:vfs_read+${off}, 12345]: 3\n`);
});

test.run();
