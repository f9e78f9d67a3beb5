// Verifier rejections explained from the kernel's own log: the kind of rejection (the catalogue in
// runtime/verifier-log/kinds.ts), the instructions that produced the offending value under the
// script lines they came from, what the verifier proved and could not, and the usual fix.
// Every case is a real rejection by this kernel: scripts where a script can cause it (loops), a
// compiled script with one instruction patched where only a code-generation bug could (the
// explanation then still names the script's lines), and raw instructions loaded through the
// libbpf binding for the rest.

import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { bpfscript, isRoot, runDir } from './helpers';
import { compile } from '../src/compile';
import { explain } from '../src/explain';
import { renderAll } from '../common/diagnostics';
import { BpfObject, LibbpfError } from '../runtime/libbpf';
import { explainLoadFailure } from '../runtime/verifier';
import { explainLog, parseLog, renderExplanation, KINDS } from '../runtime/verifier-log';
import { effect, producers } from '../runtime/verifier-log/chain';
import { describeValue } from '../runtime/verifier-log/words';
import { useLibbpfFeatureProbes } from '../runtime/feature-probes';
import { RAW_CASES, rejection } from './verifier-programs';
import { EXPECTED_RAW, EXPECTED_PATCHED, EXPECTED_SCRIPTS } from './verifier-explain-expected';

useLibbpfFeatureProbes();

const PRINT = process.env.BPFSCRIPT_PRINT_EXPLANATIONS === '1';

test('the log reader: instructions, their state, the script lines, the path through branches', () => {
  const log = [
    '0: R1=ctx() R10=fp0',
    '; @n = count(); @ calls.bt:3',
    '5: (85) call bpf_map_lookup_elem#1    ; R0=map_value_or_null(id=1,ks=4,vs=8)',
    '6: (55) if r0 != 0x0 goto pc+1 8: R0=map_value(ks=4,vs=8) R10=fp0 fp-8=0',
    '8: (79) r0 = *(u64 *)(r0 +8)',
    'from 6 to 7: R0=0 R10=fp0',
    '7: (95) exit',
    'invalid access to map value, value_size=8 off=8 size=8',
    'processed 8 insns (limit 1000000) max_states_per_insn 0 total_states 1 peak_states 1 mark_read 0',
  ].join('\n');
  const p = parseLog(log);
  assert.equal(p.steps.map((s) => [s.index, s.text, s.prev]), [[5, 'call bpf_map_lookup_elem#1', -1], [6, 'if r0 != 0x0 goto pc+1', 0], [8, 'r0 = *(u64 *)(r0 +8)', 1], [7, 'exit', 1]]);
  assert.is(p.steps[2].before.get('R0'), 'map_value(ks=4,vs=8)', 'the taken branch\'s state');
  assert.is(p.steps[0].before.get('R1'), 'ctx()');
  assert.not.ok(p.steps[1].before.has('R1'), 'a call leaves R1-R5 unreadable');
  assert.is(p.steps[3].before.get('R0'), '0', 'the state a "from" line gives');
  assert.equal(p.steps[0].source, { text: '@n = count();', file: 'calls.bt', line: 3 });
  assert.equal(p.reason, ['invalid access to map value, value_size=8 off=8 size=8']);
  assert.equal(producers(p.steps, 2, 'R0').map((s) => s.index), [5, 6, 8], 'the lookup, the NULL test, the load');
});

test('instruction effects and values in words', () => {
  assert.equal(effect('r1 = *(u64 *)(r10 -16)'), { writes: 'r1', reads: ['fp-16'] });
  assert.equal(effect('*(u64 *)(r10 -16) = r6'), { writes: 'fp-16', reads: ['r6'] });
  assert.equal(effect('r6 += r0'), { writes: 'r6', reads: ['r6', 'r0'] });
  assert.equal(effect('w2 = 16'), { writes: 'r2', reads: [] });
  assert.equal(effect('call bpf_ktime_get_ns#5'), { writes: 'r0', reads: [] });
  assert.equal(effect('if r0 == 0x0 goto pc+3'), { reads: [] });
  assert.is(describeValue('scalar(smin=0,smax=255)'), 'a number only known to lie in [0, 255]');
  assert.is(describeValue('fp-24'), 'a pointer into the stack, 24 bytes below the frame');
  assert.is(describeValue('map_value_or_null(id=1,ks=4,vs=8)'), "a pointer into a map's value, or NULL");
  assert.is(describeValue(undefined), 'never written on this path');
});

test('a long loop turn shows its last instructions and says how many it left out', () => {
  const turn = [
    ...Array.from({ length: 41 }, (_, k) => `${k}: (07) r1 += 1                       ; R1=scalar()`),
    '41: (05) goto pc-42',
  ];
  const e = explainLog([...turn, ...turn, 'The sequence of 8193 jumps is too complex.'].join('\n'));
  assert.is(e?.kind.id, 'jump-complexity');
  assert.is(e!.omitted, 10);
  const lines = renderExplanation(e!);
  assert.is(lines[1], '  … 10 instructions before these');
  assert.is(lines[2], '  10: r1 += 1                         R1: a number the verifier knows nothing about (any 64-bit value)');
  assert.is(lines[33], '  41: goto pc-42                      <- rejected here');
});

test('every kind in the catalogue has a distinct id and a test below', () => {
  const ids = KINDS.map((k) => k.id);
  assert.is(new Set(ids).size, ids.length);
  const tested = new Set([...RAW_CASES.map((c) => EXPECTED_RAW[c.kind]?.kind), ...Object.values(EXPECTED_PATCHED).map((e) => e.kind), ...Object.values(EXPECTED_SCRIPTS).map((e) => e.kind)]);
  assert.equal(ids.filter((id) => !tested.has(id)), []);
  assert.ok(tested.size >= 15, `${tested.size} kinds`);
});

/** The diagnostic a user would see for a failed load, rendered with the script. */
function shown(e: LibbpfError, sources = new Map<string, string>()): string {
  return renderAll(explainLoadFailure(e, '').diagnostics, sources);
}

if (isRoot) {
  for (const c of RAW_CASES) {
    test(`raw program: ${c.kind}`, () => {
      const e = rejection(c);
      assert.ok(e, 'the kernel refused it');
      const text = shown(e!);
      if (PRINT) console.log(`--- ${c.kind} (${explainLog(e!.verifierLog)?.kind.id})\n${text}`);
      assert.ok(EXPECTED_RAW[c.kind], 'an expectation');
      assert.is(explainLog(e!.verifierLog)?.kind.id, EXPECTED_RAW[c.kind].kind);
      assert.is(text, EXPECTED_RAW[c.kind].text);
    });
  }

  // A compiled script with one instruction changed: what a code-generation bug would produce.
  const PATCH_SOURCE = 'tracepoint:syscalls:sys_enter_getppid\n{\n  @n = count();\n  $p = pid;\n}\n';
  const insn = (code: number, regs: number, off: number, imm: number) => {
    const b = Buffer.alloc(8);
    b.writeUInt8(code, 0);
    b.writeUInt8(regs, 1);
    b.writeInt16LE(off, 2);
    b.writeInt32LE(imm, 4);
    return b;
  };
  const PATCHES: Record<string, { find: Buffer; last?: boolean; patch: (b: Buffer) => void }> = {
    // `if r0 == 0 goto` after the last map lookup tests against 1 instead.
    'null-pointer': { find: insn(0x15, 0x00, 3, 0), last: true, patch: (b) => b.writeInt32LE(1, 4) },
    // `r1 = *(u64 *)(r0 +0)` reads 8 bytes past the count.
    'map-value-bounds': { find: insn(0x79, 0x01, 0, 0), last: true, patch: (b) => b.writeInt16LE(8, 2) },
    // `r1 = *(u64 *)(r0 +0)` reads r2, which the helper call before it clobbered.
    'uninit-register': { find: insn(0x79, 0x01, 0, 0), last: true, patch: (b) => b.writeUInt8(0x21, 1) },
    // pid's bpf_get_current_pid_tgid becomes bpf_override_return, a kprobe-only helper.
    'helper-not-allowed': { find: insn(0x85, 0, 0, 14), patch: (b) => b.writeInt32LE(58, 4) },
    // The map key's store goes 520 bytes below the frame.
    'stack-limit': { find: insn(0x7b, 0x1a, -8, 0), patch: (b) => b.writeInt16LE(-520, 2) },
  };
  for (const [name, p] of Object.entries(PATCHES)) {
    test(`patched script: ${name}`, () => {
      const elf = Buffer.from(compile(PATCH_SOURCE, { file: 'patched.bt' }).elf);
      const at = p.last ? elf.lastIndexOf(p.find) : elf.indexOf(p.find);
      assert.ok(at > 0, 'the instruction to patch is in the object');
      p.patch(elf.subarray(at, at + 8));
      const obj = BpfObject.openMem(elf, 'bpfscript');
      let text = '';
      try {
        obj.load();
      } catch (e) {
        assert.instance(e, LibbpfError);
        text = shown(e as LibbpfError, new Map([['patched.bt', PATCH_SOURCE]]));
        if (PRINT) console.log(`--- ${name} (${explainLog((e as LibbpfError).verifierLog)?.kind.id})\n${text}`);
        assert.ok(EXPECTED_PATCHED[name], 'an expectation');
        assert.is(explainLog((e as LibbpfError).verifierLog)?.kind.id, EXPECTED_PATCHED[name].kind);
      } finally {
        obj.close();
      }
      assert.is(text, EXPECTED_PATCHED[name].text);
    });
  }

  test('--explain: a refused program\'s verifier stage is its explained rejection, after the other stages', async () => {
    const source = 'BEGIN\n{\n  $i = 0;\n  while (1) {\n    $i++;\n  }\n}\n';
    const out = await explain(source, { file: 'loop.bt', stages: ['bpf', 'verifier'], colour: false, canLoad: true });
    assert.match(out, /^== BPF instructions .*\n.*\n; 5:5 +\$i\+\+;\n +0: \(05\) goto pc-1\n/);
    assert.ok(out.endsWith([
      '== Verifier (what the kernel measured when loading) ==',
      'loop.bt:5:1: ERROR: the BPF verifier rejected probe_0: the program contains a loop the verifier cannot prove ends (the verifier said: infinite loop detected at insn 0)',
      '    $i++;',
      '~~~~~~~~~',
      'How the verifier got there (one turn of the loop, under the script line it came from):',
      '  loop.bt:5: $i++;',
      '      0: goto pc-1                        <- back to 0, nothing changed',
      'State there: R1=ctx() R10=fp0',
      'The verifier proved: the path came back to instruction 0 with exactly the registers and stack it had the time before',
      'It could not prove: that the loop ever ends: nothing changes from one iteration to the next',
      'HINT: bound the loop: use unroll(N) or a while loop with a constant limit on its counter',
      '',
    ].join('\n')), out);
  });

  for (const [name, s] of Object.entries(EXPECTED_SCRIPTS)) {
    test(`script: ${name}`, () => {
      const file = join(runDir(), `${name}.bt`);
      writeFileSync(file, s.source);
      const r = bpfscript(['--no-cache', file], { timeoutMs: 120_000 });
      const text = r.stderr.split(file).join('FILE');
      if (PRINT) console.log(`--- ${name}\n${text}`);
      assert.is(r.status, 1);
      assert.is(text, s.text);
    });
  }
}

test.run();
