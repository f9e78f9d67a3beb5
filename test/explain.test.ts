// --explain and -d STAGE: the AST tree, the typed view, the IR, the BPF listing interleaved with
// script positions, and the verifier's figures; plus the decoders they rest on (BPF instruction
// encoding, ELF, .BTF.ext line info) and the libbpf program-info binding, checked against bpftool.

import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { execFileSync, spawnSync } from './child';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT, bpfscript, isRoot } from './helpers';
import { stillLoaded } from './explain-helpers';
import { disassemble, formatInsn } from '../src/explain/disasm';
import { ElfFile } from '../common/kernel/elf';
import { lineInfo } from '../src/explain/btf-ext';
import { explain } from '../src/explain';
import { compile } from '../src/compile';
import { BpfObject } from '../runtime/libbpf';
import { useLibbpfFeatureProbes } from '../runtime/feature-probes';

// In-process compiles ask this kernel what it allows, as the CLI does.
useLibbpfFeatureProbes();

const example = (f: string) => join(ROOT, 'examples', f);

test('the disassembler prints each instruction class as bpftool does', () => {
  const insn = (op: number, dst: number, src: number, off: number, imm: number) => {
    const b = Buffer.alloc(8);
    b[0] = op;
    b[1] = (src << 4) | dst;
    b.writeInt16LE(off, 2);
    b.writeInt32LE(imm, 4);
    return b;
  };
  const code = Buffer.concat([
    insn(0xbf, 6, 1, 0, 0), // mov64 reg
    insn(0xb7, 1, 0, 0, 0), // mov64 imm
    insn(0xb4, 2, 0, 0, 16), // mov32 imm
    insn(0x07, 1, 0, 0, -32), // add64 imm
    insn(0x7b, 10, 1, -24, 0), // stx u64
    insn(0x79, 1, 10, -24, 0), // ldx u64
    insn(0x63, 10, 1, -8, 0), // stx u32
    insn(0x62, 10, 0, -4, 7), // st u32 imm
    insn(0x85, 0, 0, 0, 14), // call helper
    insn(0x18, 1, 0, 0, 0), insn(0, 0, 0, 0, 2), // ld_imm64 0x200000000
    insn(0xad, 0, 1, 50, 0), // jlt reg
    insn(0x15, 0, 0, 1, 0), // jeq imm
    insn(0x65, 0, 0, 8, -1), // jsgt imm
    insn(0x05, 0, 0, -29, 0), // ja
    insn(0xdb, 1, 2, 0, 0), // atomic add
    insn(0xc7, 3, 0, 0, 3), // arsh64 imm
    insn(0x87, 4, 0, 0, 0), // neg64
    insn(0x95, 0, 0, 0, 0), // exit
  ]);
  const text = disassemble(code).map((i) => formatInsn(i)).join('\n');
  assert.is(text, [
    '   0: (bf) r6 = r1',
    '   1: (b7) r1 = 0',
    '   2: (b4) w2 = 16',
    '   3: (07) r1 += -32',
    '   4: (7b) *(u64 *)(r10 -24) = r1',
    '   5: (79) r1 = *(u64 *)(r10 -24)',
    '   6: (63) *(u32 *)(r10 -8) = r1',
    '   7: (62) *(u32 *)(r10 -4) = 7',
    '   8: (85) call bpf_get_current_pid_tgid#14',
    '   9: (18) r1 = 0x200000000',
    '  11: (ad) if r0 < r1 goto pc+50',
    '  12: (15) if r0 == 0x0 goto pc+1',
    '  13: (65) if r0 s> -0x1 goto pc+8',
    '  14: (05) goto pc-29',
    '  15: (db) lock *(u64 *)(r1 +0) += r2',
    '  16: (c7) r3 s>>= 3',
    '  17: (87) r4 = -r4',
    '  18: (95) exit',
  ].join('\n'));
  // A relocation names the map a 64-bit load points at.
  assert.is(disassemble(code.subarray(72, 88), (i) => (i === 0 ? 'AT_x' : undefined))[0].text, 'r1 = map[AT_x]');
});

test('-d ast prints the syntax tree with positions', () => {
  const r = bpfscript(['-d', 'ast', example('01-hello.bt')]);
  assert.is(r.status, 0, r.stderr);
  assert.is(r.stdout, [
    '== AST (what the parser understood) ==',
    'Program  1:1',
    '└─ Probe  10:1',
    '   ├─ attachPoints: AttachPoint BEGIN  10:1',
    '   └─ body: Block  11:1',
    '      ├─ ExprStmt  12:3',
    '      │  └─ Call printf  12:3',
    '      │     └─ StrLit "hello from the kernel\\n"  12:10',
    '      └─ ExprStmt  13:3',
    '         └─ Call exit  13:3',
    '',
  ].join('\n'));
});

test('-d types shows each expression\'s type, the programs and the maps with their BPF map types', () => {
  const r = bpfscript(['-d', 'types', example('03-opens-by-process.bt')]);
  assert.is(r.status, 0, r.stderr);
  assert.is(r.stdout, [
    '== Types (what the type checker inferred) ==',
    'Program  1:1',
    '└─ Probe  10:1',
    '   ├─ attachPoints: AttachPoint tracepoint:syscalls:sys_enter_openat  10:1',
    '   └─ body: Block  11:1',
    '      └─ AssignMap  12:3',
    '         ├─ map: MapRef @opens  12:3',
    '         │  └─ Builtin comm : string[16]  12:10',
    '         └─ value: Call count : count_t  12:18',
    '',
    'Programs',
    '  probe_0  tracepoint:syscalls:sys_enter_openat  section tracepoint/syscalls/sys_enter_openat',
    'Maps',
    '  @opens   key string[16]  value count_t  BPF_MAP_TYPE_PERCPU_HASH (AT_opens: 4096 entries, key 16 B, value 8 B per CPU)',
    '',
  ].join('\n'));
});

test('-d with an unknown stage is an error naming the stages', () => {
  const r = bpfscript(['-d', 'asm', '-e', 'BEGIN { }']);
  assert.is(r.status, 1);
  assert.is(r.stderr, "ERROR: unknown stage for -d: 'asm'\nHINT: stages are: ast, macros, types, ir, bpf, verifier\n");
});

// The listing must decode the same instructions LLVM's own disassembler sees in the object.
test('-d bpf lists the object\'s instructions, as llvm-objdump decodes them, under their script lines', () => {
  const objdump = ['llvm-objdump-14', 'llvm-objdump'].find((c) => spawnSync(c, ['--version']).status === 0);
  const script = example('10-runqueue-latency.bt');
  const r = bpfscript(['-d', 'bpf', script]);
  assert.is(r.status, 0, r.stderr);
  const lines = r.stdout.split('\n').filter(Boolean);
  assert.is(lines[0], '== BPF instructions (with the script position that produced them) ==');
  const ours = new Map<number, string>();
  let prog = '';
  const byProg = new Map<string, Map<number, string>>();
  for (const l of lines.slice(1)) {
    const header = /^(probe_\d+)  \S+  section \S+, \d+ instructions$/.exec(l);
    if (header) {
      prog = header[1];
      byProg.set(prog, new Map());
      continue;
    }
    if (/^; \d+:\d+ +\S/.test(l)) continue;
    const m = /^ *(\d+): \(([0-9a-f]{2})\) \S/.exec(l);
    assert.ok(m, `an instruction line: ${l}`);
    byProg.get(prog)!.set(Number(m![1]), m![2]);
    ours.set(Number(m![1]), m![2]);
  }
  assert.equal([...byProg.keys()], ['probe_0', 'probe_1', 'probe_2']);
  // Statement positions of the script appear as source comments.
  assert.ok(r.stdout.includes('; 14:3   @queued[args->pid] = nsecs;'), r.stdout);
  assert.ok(r.stdout.includes('; 19:3   $start = @queued[args->next_pid];'), r.stdout);
  if (!objdump) return;
  const dir = mkdtempSync(join(tmpdir(), 'bpfscript-explain-'));
  const obj = join(dir, 'x.o');
  writeFileSync(obj, compile(require('node:fs').readFileSync(script, 'utf8'), { file: script }).elf);
  const dump = execFileSync(objdump, ['-d', '--no-show-raw-insn', obj], { encoding: 'utf8' });
  const theirs = new Map<string, number[]>();
  let fn = '';
  for (const l of dump.split('\n')) {
    const f = /^[0-9a-f]+ <(probe_\d+)>:/.exec(l);
    if (f) theirs.set((fn = f[1]), []);
    const i = /^\s+(\d+):\t/.exec(l);
    if (i && fn) theirs.get(fn)!.push(Number(i[1]));
  }
  for (const [p, insns] of byProg) assert.equal([...insns.keys()], theirs.get(p), `${p}: same instruction boundaries as ${objdump}`);
});

test('.BTF.ext line info maps instructions to the script\'s lines', () => {
  const src = 'BEGIN\n{\n  @a = pid;\n  @b = nsecs;\n}\n';
  const elf = ElfFile.fromBuffer(compile(src, { file: 'two.bt' }).elf);
  const recs = lineInfo(elf).get('raw_tp') ?? [];
  assert.ok(recs.length > 0, 'line records for the BEGIN program');
  const lines = new Set(recs.map((r) => r.line).filter((l) => l > 0));
  assert.ok(lines.has(3), `the first statement's line is there: ${[...lines]}`);
  assert.ok([...lines].every((l) => l === 1 || l === 3 || l === 4), `only the probe's and the statements' lines: ${[...lines]}`);
  assert.ok(recs.every((r) => r.file.endsWith('two.bt')), 'file name from the compile unit');
  assert.ok(recs.every((r, i) => i === 0 || r.insnOff >= recs[i - 1].insnOff), 'sorted by instruction');
});

test('--explain piped: every stage in pipeline order, plain text', () => {
  const r = bpfscript(['--explain', '-e', 'tracepoint:syscalls:sys_enter_getppid { @[comm] = count(); }']);
  assert.is(r.status, 0, r.stderr);
  assert.not.match(r.stdout, /\x1b\[/, 'no colour when piped');
  const headings = r.stdout.split('\n').filter((l) => l.startsWith('== '));
  assert.equal(headings, [
    '== AST (what the parser understood) ==',
    '== Macros expanded (the program the type checker reads) ==',
    '== Types (what the type checker inferred) ==',
    '== LLVM IR (optimised, before the BPF backend) ==',
    '== BPF instructions (with the script position that produced them) ==',
    '== Verifier (what the kernel measured when loading) ==',
  ]);
  assert.match(r.stdout, /define i32 @probe_0\(/);
  if (isRoot) {
    assert.match(r.stdout, /\nprobe_0  tracepoint:syscalls:sys_enter_getppid\n  instructions: \d+ in the object, \d+ after the kernel's rewrites, \d+ bytes of machine code \(JIT\)\n  verifier: \d+ instructions processed \(limit 1000000\), stack depth \d+ bytes of 512, peak \d+ states, checked in \d+ µs\n/);
  }
});

test('the verifier stage says why it is skipped without root, after the stages that need none', async () => {
  const out = await explain('BEGIN { exit(); }', { file: 'stdin', stages: ['bpf', 'verifier'], colour: false, canLoad: false });
  assert.match(out, /^== BPF instructions/);
  assert.ok(out.endsWith("== Verifier (what the kernel measured when loading) ==\nskipped: loading programs into the kernel needs root (run with sudo to see the verifier's figures)\n"), out);
});

test('colour is ANSI escapes around the parts, and only when asked for', async () => {
  const out = await explain('BEGIN { @x = 1; }', { file: 'stdin', stages: ['ast'], colour: true, canLoad: false });
  assert.match(out, /\x1b\[1;34mAssignMap\x1b\[0m/);
});

test('program info (bpf_obj_get_info_by_fd) agrees with bpftool', () => {
  if (!isRoot) return;
  const gen = compile('tracepoint:syscalls:sys_enter_getppid { @[pid] = count(); }', { file: 'stdin' });
  const obj = BpfObject.openMem(gen.elf, 'bpfscript');
  let id = 0;
  try {
    const prog = obj.programs()[0];
    prog.setLogBuffer(1 << 16, 4);
    obj.load();
    const info = prog.info();
    id = info.id;
    const tool = JSON.parse(execFileSync('bpftool', ['prog', 'show', 'id', String(id), '-j'], { encoding: 'utf8' })) as
      { bytes_xlated: number; bytes_jited: number; verified_insns?: number; name: string };
    assert.is(tool.name, 'probe_0');
    assert.is(info.xlatedBytes, tool.bytes_xlated);
    assert.is(info.jitedBytes, tool.bytes_jited);
    if (tool.verified_insns !== undefined) assert.is(info.verifiedInsns, tool.verified_insns);
    assert.match(prog.log, /processed \d+ insns \(limit 1000000\)/);
  } finally {
    obj.close();
  }
  assert.equal(stillLoaded([id]), []);
});

test.run();
