// The per-event one-liners of the bench's overhead suite compile to code close to their
// hand-written floor (bench/floor/floor.bpf.c): guards against extra helper calls, a second map
// lookup or copies creeping back onto the hot path. Instruction counts are the whole program's
// (the insert path for a new key included), in 8-byte slots.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { compile } from '../src/compile';
import { disassemble } from '../src/explain/disasm';
import { ElfFile } from '../common/kernel/elf';
import { useLibbpfFeatureProbes } from '../runtime/feature-probes';

useLibbpfFeatureProbes();

const TP = 'tracepoint:raw_syscalls:sys_enter';

function program(src: string): { section: string; slots: number; calls: string[]; text: string[] } {
  const elf = ElfFile.fromBuffer(compile(src, { file: 'stdin' }).elf);
  const [prog] = elf.programs();
  const code = prog.section.data.subarray(prog.offset, prog.offset + prog.size);
  const text = disassemble(code).map((i) => i.text);
  const calls = text.filter((t) => t.startsWith('call ')).map((t) => t.replace(/^call (\w+?)(#\d+)?$/, '$1'));
  return { section: prog.section.name, slots: code.length / 8, calls, text };
}

test('@ = count(): one array lookup and an add, as by hand', () => {
  const p = program(`${TP} { @ = count(); }`);
  assert.is(p.section, 'raw_tp/sys_enter');
  assert.equal(p.calls, ['bpf_map_lookup_elem']);
  assert.ok(p.slots <= 16, `${p.slots} slots:\n${p.text.join('\n')}`);
});

test('/pid == 1/ { @ = count(); }: the predicate, then the same', () => {
  const p = program(`${TP} /pid == 1/ { @ = count(); }`);
  assert.equal(p.calls, ['bpf_get_current_pid_tgid', 'bpf_map_lookup_elem']);
  assert.ok(p.slots <= 24, `${p.slots} slots:\n${p.text.join('\n')}`);
});

test('@[comm] = count(): the key is the comm buffer itself, one lookup on the hot path', () => {
  const p = program(`${TP} { @[comm] = count(); }`);
  assert.is(p.calls[0], 'bpf_get_current_comm');
  assert.is(p.calls[1], 'bpf_map_lookup_elem');
  // The comm buffer's address is the key's: no 16-byte copy between the two calls.
  const between = p.text.slice(p.text.findIndex((t) => t.startsWith('call bpf_get_current_comm')) + 1, p.text.findIndex((t) => t.startsWith('call bpf_map_lookup_elem')));
  assert.not.ok(between.some((t) => /^\*\(u64 \*\)\(r10 /.test(t)), between.join('\n'));
  assert.ok(p.slots <= 56, `${p.slots} slots`);
});

test('@[pid] = sum(args->id) and @ = hist(args->id): raw tracepoints reading the id argument', () => {
  const sum = program(`${TP} { @[pid] = sum(args->id); }`);
  assert.is(sum.section, 'raw_tp/sys_enter');
  assert.ok(sum.text.some((t) => /= \*\(u64 \*\)\(r\d \+8\)/.test(t)), sum.text.join('\n'));
  assert.equal(sum.calls.slice(0, 2), ['bpf_get_current_pid_tgid', 'bpf_map_lookup_elem']);
  const hist = program(`${TP} { @ = hist(args->id); }`);
  assert.is(hist.section, 'raw_tp/sys_enter');
  assert.equal(hist.calls, ['bpf_map_lookup_elem']);
  assert.ok(hist.slots <= 80, `${hist.slots} slots`);
});

test.run();
