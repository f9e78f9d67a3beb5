// Code generation in-process: compile to an ELF, then let the kernel's verifier load every program
// (no attaching), and check the object's shape: sections, BTF-defined maps, programs.

import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { parse } from '../grammar';
import { analyze, compile } from '../src/compile';
import { BpfObject } from '../runtime/libbpf';
import { useLibbpfFeatureProbes } from '../runtime/feature-probes';

// In-process compiles ask this kernel what it allows, as the CLI does.
useLibbpfFeatureProbes();

function loads(source: string): { programs: string[]; maps: string[]; sections: Record<string, string> } {
  const gen = compile(source, { file: 'test.bt' });
  const obj = BpfObject.openMem(gen.elf, 'codegen_test');
  try {
    obj.load();
    return {
      programs: obj.programs().map((p) => p.name).sort(),
      sections: Object.fromEntries(obj.programs().map((p) => [p.name, p.sectionName])),
      maps: obj.maps().map((m) => m.name),
    };
  } finally {
    obj.close();
  }
}

test('one program per attach point, in the section of its probe type', () => {
  const r = loads('BEGIN { } tracepoint:syscalls:sys_enter_openat, tracepoint:syscalls:sys_enter_close { } interval:s:1 { } END { }');
  assert.equal(r.programs, ['probe_0', 'probe_1', 'probe_2', 'probe_3', 'probe_4']);
  assert.equal(r.sections, {
    probe_0: 'raw_tp',
    probe_1: 'tracepoint/syscalls/sys_enter_openat',
    probe_2: 'tracepoint/syscalls/sys_enter_close',
    probe_3: 'perf_event',
    probe_4: 'raw_tp',
  });
});

test('a tracepoint that reads no args, or only fields its raw arguments carry, is lowered to a raw tracepoint: its probe type and attach point agree', () => {
  const a = analyze(parse('tracepoint:raw_syscalls:sys_enter { @n = count(); } tracepoint:raw_syscalls:sys_enter { @id = args->args[0]; }', 'test.bt'));
  assert.equal(a.probes.map((p) => [p.type.name, p.expanded.provider, p.expanded.section]), [
    ['rawtracepoint', 'rawtracepoint', 'raw_tp/sys_enter'],
    ['tracepoint', 'tracepoint', 'tracepoint/raw_syscalls/sys_enter'],
  ]);
});

test('maps are BTF-defined, named like bpftrace (AT_name), next to the runtime maps', () => {
  const r = loads('BEGIN { @x = 1; @[comm] = count(); @by[pid, comm] = sum(2); }');
  for (const m of ['AT_', 'AT_x', 'AT_by', 'events', 'stats', 'zeroes']) assert.ok(r.maps.includes(m), `map ${m} in ${r.maps}`);
});

test('tracepoint wildcards expand to one program each', () => {
  const r = loads('tracepoint:syscalls:sys_enter_getp*id { @[probe] = count(); }'.replace('@[probe]', '@'));
  assert.ok(r.programs.length >= 3, `${r.programs.length} programs`);
});

test('the verifier accepts every construct of the core language', () => {
  loads(`
    tracepoint:syscalls:sys_enter_openat /pid > 1 && comm != "init"/ {
      $flags = args->flags;
      $n = $flags & 0xff;
      $n += 3;
      @by_comm[comm] = count();
      @by_both[comm, pid] = sum($n);
      @last = args->dfd;
      @s = comm;
      @h = hist($n); @l = lhist($n, 0, 100, 10);
      @mn = min($n); @mx = max($n); @a = avg($n); @st = stats($n);
      if ($n > 10) { printf("%s %d %u %x\\n", comm, pid, uid, $n); } else { @small = count(); }
      @t = $n > 5 ? 1 : 0;
      @m = @last + 1;
      exit();
    }`);
});

test('the optimised IR is available for --emit-llvm', () => {
  const gen = compile('BEGIN { @x = count(); }', { file: 'test.bt', wantIR: true });
  assert.match(gen.ir ?? '', /define i32 @probe_0\(/);
  assert.match(gen.ir ?? '', /!DICompileUnit/);
});

test.run();
