// Errors that teach: "did you mean …?" from the real lists (probe types, tracefs events, builtins,
// functions, fields, variables, maps), and a verifier rejection shown at its source line with the
// reason in plain words.

import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { bpfscript, isRoot } from './helpers';
import { editDistance, suggest, didYouMean } from '../src/suggest';
import { compile } from '../src/compile';
import { renderAll } from '../common/diagnostics';
import { BpfObject, LibbpfError } from '../runtime/libbpf';
import { explainLoadFailure, parseVerifierStats, rejectedAt, rejectionLine } from '../runtime/verifier';
import { useLibbpfFeatureProbes } from '../runtime/feature-probes';

// In-process compiles ask this kernel what it allows, as the CLI does.
useLibbpfFeatureProbes();

function fails(program: string, expected: string[]): void {
  const r = bpfscript(['-e', program]);
  assert.is(r.status, 1);
  assert.is(r.stdout, '');
  assert.is(r.stderr, expected.join('\n') + '\n');
}

test('edit distance counts insertions, deletions, substitutions and swaps', () => {
  assert.is(editDistance('comm', 'comm'), 0);
  assert.is(editDistance('cmm', 'comm'), 1);
  assert.is(editDistance('cmom', 'comm'), 1);
  assert.is(editDistance('pdi', 'pid'), 1);
  assert.is(editDistance('kitten', 'sitting'), 3);
  assert.is(editDistance('a', 'abcdef', 2), 3, 'stops past the limit');
});

test('suggest keeps only the closest names, and nothing far', () => {
  assert.equal(suggest('cmm', ['comm', 'cpu', 'pid', 'cpid']), ['comm']);
  assert.equal(suggest('begin', ['BEGIN', 'END']), ['BEGIN']);
  assert.equal(suggest('xyzzy', ['comm', 'pid']), []);
  assert.is(didYouMean('tdi', ['tid', 'pid']), "did you mean 'tid'?");
  assert.is(didYouMean('pd', ['pid', 'id']), "did you mean 'id' or 'pid'?");
});

test('unknown probe type', () => {
  const r = bpfscript(['-e', 'tracepont:syscalls:sys_enter_openat { }']);
  assert.is(r.status, 1);
  const lines = r.stderr.split('\n');
  assert.equal(lines.slice(0, 3), [
    'stdin:1:1-36: ERROR: Invalid probe type: tracepont',
    'tracepont:syscalls:sys_enter_openat { }',
    '~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~',
  ]);
  // The list of probe types grows as they are added; the suggestion leads the hint.
  assert.match(lines[3], /^HINT: did you mean 'tracepoint'\? Probe types available: BEGIN, END, tracepoint, /);
});

test('misspelt tracepoint event, from tracefs', () => {
  fails('tracepoint:syscalls:sys_enter_opnat { }', [
    'stdin:1:1-36: ERROR: tracepoint not found: syscalls:sys_enter_opnat',
    'tracepoint:syscalls:sys_enter_opnat { }',
    '~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~',
    'HINT: did you mean tracepoint:syscalls:sys_enter_openat? (list tracepoints with: bpfscript -l "tracepoint:*")',
  ]);
});

test('misspelt tracepoint category', () => {
  fails('tracepoint:sched:sched_procss_exec { }', [
    'stdin:1:1-35: ERROR: tracepoint not found: sched:sched_procss_exec',
    'tracepoint:sched:sched_procss_exec { }',
    '~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~',
    'HINT: did you mean tracepoint:sched:sched_process_exec? (list tracepoints with: bpfscript -l "tracepoint:*")',
  ]);
  fails('tracepoint:shced:sched_process_exec { }', [
    'stdin:1:1-36: ERROR: tracepoint not found: shced:sched_process_exec',
    'tracepoint:shced:sched_process_exec { }',
    '~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~',
    'HINT: did you mean tracepoint:sched:sched_process_exec? (list tracepoints with: bpfscript -l "tracepoint:*")',
  ]);
});

test('misspelt builtin', () => {
  fails('BEGIN { @[cmm] = count(); }', [
    "stdin:1:11-14: ERROR: Unknown identifier: 'cmm'",
    'BEGIN { @[cmm] = count(); }',
    '          ~~~',
    "HINT: did you mean 'comm'?",
  ]);
});

test('misspelt function and aggregation', () => {
  fails('BEGIN { pritnf("x"); }', [
    'stdin:1:9-15: ERROR: Unknown function: pritnf',
    'BEGIN { pritnf("x"); }',
    '        ~~~~~~',
    'HINT: did you mean printf()?',
  ]);
  fails('BEGIN { @ = cuont(); }', [
    'stdin:1:13-18: ERROR: Unknown function: cuont',
    'BEGIN { @ = cuont(); }',
    '            ~~~~~',
    'HINT: did you mean count()?',
  ]);
});

test('misspelt tracepoint field', () => {
  fails('tracepoint:syscalls:sys_enter_openat { @[args->filenam] = count(); }', [
    "stdin:1:48-55: ERROR: tracepoint tracepoint:syscalls:sys_enter_openat has no field named 'filenam'",
    'tracepoint:syscalls:sys_enter_openat { @[args->filenam] = count(); }',
    '                                               ~~~~~~~',
    "HINT: did you mean 'filename'? (its fields are: __syscall_nr, dfd, filename, flags, mode)",
  ]);
});

test('misspelt kernel struct member, from BTF', () => {
  const r = bpfscript(['--emit-elf', '/dev/null', '-e', 'kfunc:vfs_read { @ = args->file->f_flgs; }']);
  assert.is(r.status, 1);
  assert.is(r.stderr, [
    "stdin:1:34-40: ERROR: struct file has no member named 'f_flgs'",
    'kfunc:vfs_read { @ = args->file->f_flgs; }',
    '                                 ~~~~~~',
    "HINT: did you mean 'f_flags'?",
    '',
  ].join('\n'));
});

test('misspelt variable and map', () => {
  fails('BEGIN { $start = 1; @ = $strat; }', [
    'stdin:1:25-31: ERROR: Undefined or undeclared variable: $strat',
    'BEGIN { $start = 1; @ = $strat; }',
    '                        ~~~~~~',
    'HINT: did you mean $start?',
  ]);
  fails('BEGIN { @start = 1; @x = @strat; }', [
    'stdin:1:26-32: ERROR: Undefined map: @strat',
    'BEGIN { @start = 1; @x = @strat; }',
    '                         ~~~~~~',
    "HINT: did you mean '@start'?",
  ]);
});

// This machine's kernel has no kprobes and refuses fentry; the VM lane attaches both for real.
test('a probe type this kernel lacks: what is missing, and what to use instead', () => {
  if (!isRoot) return;
  fails('kretprobe:vfs_read { @ = count(); }', [
    'ERROR: cannot attach kretprobe:vfs_read: this kernel has no kprobe support (CONFIG_KPROBES / CONFIG_KPROBE_EVENTS is off)',
    'HINT: trace a tracepoint instead (bpfscript -l "tracepoint:*"), or run on a kernel with kprobes',
  ]);
  fails('kfunc:vfs_read { @ = count(); }', [
    'ERROR: cannot attach kfunc:vmlinux:vfs_read: this kernel refuses fentry/fexit programs (loading a BPF tracing program fails with EPERM)',
    'HINT: this kernel has no kprobes either: trace a tracepoint (bpfscript -l "tracepoint:*") or a raw tracepoint, or run on a kernel that allows fentry',
  ]);
});

test('verifier statistics are read from a level-4 log', () => {
  const log = 'func#0 @0\nverification time 97 usec\nstack depth 40+16\nprocessed 74 insns (limit 1000000) max_states_per_insn 0 total_states 6 peak_states 6 mark_read 2\n';
  assert.equal(parseVerifierStats(log), { processed: 74, limit: 1000000, stackDepth: [40, 16], totalStates: 6, peakStates: 6, timeUsec: 97 });
  assert.is(parseVerifierStats('nothing here'), null);
});

test('the rejected line and the verifier\'s own words are found in a log', () => {
  const log = [
    '0: R1=ctx() R10=fp0',
    '; @ stdin:1',
    '0: (b7) r1 = 0                        ; R1_w=0',
    '; @[comm] = count(); @ script.bt:3',
    '25: (79) r1 = *(u64 *)(r0 +0)',
    "R0 invalid mem access 'map_value_or_null'",
    'processed 26 insns (limit 1000000) max_states_per_insn 0 total_states 2 peak_states 2 mark_read 1',
  ].join('\n');
  assert.equal(rejectedAt(log), { file: 'script.bt', line: 3, text: '@[comm] = count();' });
  assert.is(rejectionLine(log), "R0 invalid mem access 'map_value_or_null'");
});

// A real rejection: the object is compiled, then the NULL check after the first map lookup is
// patched out, so the kernel sees a dereference of a pointer that may be NULL.
test('a verifier rejection points at the source line and names the fix', () => {
  if (!isRoot) return;
  const source = 'tracepoint:syscalls:sys_enter_getppid {\n  @calls[comm] = count();\n}\n';
  const gen = compile(source, { file: 'calls.bt' });
  const elf = Buffer.from(gen.elf);
  const sec = elf.indexOf(Buffer.from([0x85, 0, 0, 0, 1, 0, 0, 0])); // call bpf_map_lookup_elem
  assert.ok(sec > 0, 'a map lookup in the object');
  const check = elf.subarray(sec + 8, sec + 16);
  // `if r0 != 0` becomes `if r0 != 1` (or `==` likewise): both paths stay reachable, and one of
  // them now uses a pointer that may be NULL.
  assert.ok(check[0] === 0x55 || check[0] === 0x15, 'a NULL test follows the lookup');
  check.writeInt32LE(1, 4);
  const obj = BpfObject.openMem(elf, 'bpfscript');
  let text = '';
  try {
    obj.load();
  } catch (e) {
    assert.instance(e, LibbpfError);
    text = renderAll(explainLoadFailure(e as LibbpfError, '').diagnostics, new Map([['calls.bt', source]]));
  } finally {
    obj.close();
  }
  assert.is(text, [
    "calls.bt:2:1: ERROR: the BPF verifier rejected probe_0: a pointer that may be NULL (a map lookup result) is used without checking it first (the verifier said: R0 invalid mem access 'map_value_or_null')",
    '  @calls[comm] = count();',
    '~~~~~~~~~~~~~~~~~~~~~~~~~',
    'How the verifier got there (the instructions that made R0, and its tests on the way, under the script lines they came from):',
    '  calls.bt:2: @calls[comm] = count();',
    "      13: call bpf_map_lookup_elem#1      R0: a pointer into a map's value, or NULL",
    "      14: if r0 != 0x1 goto pc+36         R0 on the path taken: a pointer into a map's value, or NULL",
    '      51: r1 = *(u64 *)(r0 +0)            <- rejected here',
    'State there: R0=map_value_or_null(id=1,map=AT_calls,ks=16,vs=8) R6=fp-32 R10=fp0 fp-8=0 fp-16=0 fp-24=mmmmmmmm fp-32=mmmmmmmm',
    "The verifier proved: R0 is a pointer into a map's value, or NULL (made by `call bpf_map_lookup_elem#1` at instruction 13)",
    'It could not prove: that R0 is not NULL here: nothing on this path compared it with 0',
    'HINT: check the pointer before using it; for a script this is a bpfscript bug, please report it',
    '',
  ].join('\n'));
});

test.run();
