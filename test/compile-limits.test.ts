// Programs at the edges of what the compiler accepts: maps declared by reading themselves, large
// and degenerate inputs. Each either runs as bpftrace 0.17 runs it or is refused the way bpftrace
// refuses it (one clear message, exit 1), never an abort or a hang.

import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from './child';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BIN, bpfscript, type RunResult } from './helpers';
import { compile } from '../src/compile';
import { ElfFile } from '../common/kernel/elf';
import { lineInfo } from '../src/explain/btf-ext';
import { LINE_TEXT_MAX_PROGRAMS } from '../src/codegen/program';
import { useLibbpfFeatureProbes } from '../runtime/feature-probes';

// In-process compiles ask this kernel what it allows, as the CLI does.
useLibbpfFeatureProbes();

const ORACLE_TIMEOUT_MS = 60_000;

function bpftrace(args: string[]): RunResult {
  const r = spawnSync('bpftrace', args, { encoding: 'utf8', timeout: ORACLE_TIMEOUT_MS });
  // Its RLIMIT_MEMLOCK complaint on this machine is noise, not part of the comparison.
  const stderr = r.stderr.split('\n').filter((l) => !l.includes('RLIMIT_MEMLOCK')).join('\n');
  return { stdout: r.stdout, stderr, status: r.status };
}

// No leak check per test: the programs these tests run exit on their own (BEGIN … exit()), the
// refusals never load anything, and a count of probe_N programs on the machine sees other sessions'.

test('a map read in its own first assignment starts at 0, as in bpftrace', () => {
  const prog = 'BEGIN { @d = @d * 1 + 3; @bytes = @bytes + 5; @s = @s - 2; @k[1] = @k[1] + 7; exit(); }';
  const ours = bpfscript(['-e', prog]);
  assert.is(ours.stderr, '');
  assert.is(ours.status, 0);
  const theirs = bpftrace(['-e', prog]);
  assert.is(ours.stdout, theirs.stdout);
  // @s is unsigned, as bpftrace makes it: 0 - 2 wraps.
  assert.match(ours.stdout, /@s: 18446744073709551614\n/);
});

test('a map only ever read is still undefined', () => {
  const r = bpfscript(['-e', 'BEGIN { @x = @never + 1; exit(); }']);
  assert.is(r.status, 1);
  assert.match(r.stderr, /stdin:1:14-20: ERROR: Undefined map: @never/);
});

test('an empty -e is no program, as in bpftrace', () => {
  const ours = bpfscript(['-e', '']);
  const theirs = bpftrace(['-e', '']);
  assert.is(ours.status, 1);
  assert.is(theirs.status, 1);
  assert.is(ours.stderr, "ERROR: USAGE: filename or -e 'program' required.\n");
  assert.is(ours.stderr, theirs.stderr);
});

test('a program of blanks and comments is refused at once (it used to wait forever)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'bpfscript-limits-'));
  const file = join(dir, 'comments.bt');
  writeFileSync(file, '// only a comment\n/* and another */\n');
  for (const args of [[file], ['-e', ' '], ['-e', '// hi']]) {
    const ours = bpfscript(args, { timeoutMs: 20_000 });
    assert.is(ours.status, 1, `${args.join(' ')}: ${ours.stderr}`);
    assert.match(ours.stderr, /: ERROR: unexpected end of file, expected \{\n/);
    assert.is(ours.stdout, '');
    assert.is(bpftrace(args).status, 1);
  }
});

test('a second BEGIN or END is refused with its span, as bpftrace refuses it', () => {
  for (const prog of ['BEGIN { exit(); } BEGIN { exit(); }', 'END { exit(); } END { exit(); } BEGIN { exit(); }', 'BEGIN,BEGIN { exit(); }']) {
    const ours = bpfscript(['-e', prog]);
    const theirs = bpftrace(['-e', prog]);
    assert.is(ours.status, 1);
    assert.is(theirs.status, 1);
    const said = (s: string) => /ERROR: (More than one \w+ probe defined)/.exec(s)?.[1];
    assert.is(said(ours.stderr), said(theirs.stderr));
    assert.ok(said(ours.stderr), ours.stderr);
    assert.is(ours.stdout, '');
  }
  const r = bpfscript(['-e', 'BEGIN { exit(); } BEGIN { exit(); }']);
  assert.is(r.stderr, 'stdin:1:19-24: ERROR: More than one BEGIN probe defined\nBEGIN { exit(); } BEGIN { exit(); }\n                  ~~~~~\n');
});

test('20,000 BEGIN probes: every extra one reported, nothing run', () => {
  const dir = mkdtempSync(join(tmpdir(), 'bpfscript-limits-'));
  const file = join(dir, 'begins.bt');
  writeFileSync(file, 'BEGIN { exit(); }\n'.repeat(20_000));
  // 19,999 diagnostics are more than spawnSync's default 1 MiB buffer.
  const r = spawnSync(process.execPath, [BIN, file], { encoding: 'utf8', timeout: 120_000, maxBuffer: 64 << 20 });
  assert.is(r.status, 1);
  assert.is(r.stderr.match(/ERROR: More than one BEGIN probe defined/g)?.length, 19_999);
  assert.is(r.stdout, '');
});

test('uprobe on a device, a fifo or a directory is refused, not read without end', () => {
  const dir = mkdtempSync(join(tmpdir(), 'bpfscript-limits-'));
  const fifo = join(dir, 'fifo');
  spawnSync('mkfifo', [fifo]);
  for (const target of ['/dev/zero', fifo, dir]) {
    const r = bpfscript(['-e', `uprobe:${target}:main { exit(); }`], { timeoutMs: 20_000 });
    assert.is(r.status, 1, `${target}: ${r.stderr}`);
    assert.match(r.stderr, `ERROR: ${target} is not a regular file\n`);
  }
});

test('signed / and % of values LLVM cannot fold compile (LLVM aborted on sdiv) and round toward zero', () => {
  const r = bpfscript(['-e', 'BEGIN { $a = -7; @z = 1; @x = $a / 2; @y = $a % (@z + 3); @w = $a / (@z - 3); @v = (@z * 7) % -3; exit(); }']);
  assert.is(r.stderr, '');
  assert.is(r.status, 0);
  assert.is(r.stdout, 'Attaching 1 probe...\n\n\n@v: 1\n@w: 3\n@x: -3\n@y: -3\n@z: 1\n');
});

test('division by a zero read from a map: the verifier accepts it, the answers are bpftrace\'s', () => {
  const prog = 'BEGIN { @z = 0; @o = 7 % @z; @d = 7 / @z; @n = (uint64)9 / (uint64)@z; exit(); }';
  const ours = bpfscript(['-e', prog]);
  assert.is(ours.stderr, '');
  assert.is(ours.status, 0);
  assert.is(ours.stdout, bpftrace(['-e', prog]).stdout);
  assert.match(ours.stdout, /@d: 0\n@n: 0\n@o: 7\n/);
});

test('non-negative operands divide as in bpftrace', () => {
  const prog = 'BEGIN { @z = 5; @q = (@z * 100 + 3) / 7; @r = (@z * 100 + 3) % 7; @s = 1000000007 % (@z + 2); exit(); }';
  const ours = bpfscript(['-e', prog]);
  assert.is(ours.stderr, '');
  assert.is(ours.stdout, bpftrace(['-e', prog]).stdout);
});

const updates = (n: number) => 'BEGIN { ' + '@a = @a + 1; '.repeat(n) + 'exit(); }';

test('2,000 map updates in one BEGIN run, as in bpftrace (500 were "Branch target out of insn range")', () => {
  const ours = bpfscript(['-e', updates(2000)], { timeoutMs: 240_000 });
  assert.is(ours.stderr, '');
  assert.is(ours.status, 0);
  assert.is(ours.stdout, 'Attaching 1 probe...\n\n\n@a: 2000\n');
  assert.is(ours.stdout, bpftrace(['-e', updates(2000)]).stdout);
});

test('a backend failure LLVM cannot recover from is one ERROR line and exit 1, not an abort', () => {
  // An if around 3,000 updates: its branch must jump over them all, further than BPF jumps reach.
  const prog = 'BEGIN { @c = 0; if (@c == 0) { ' + '@a = @a + 1; '.repeat(3000) + '} exit(); }';
  const r = bpfscript(['-e', prog], { timeoutMs: 240_000 });
  assert.is(r.status, 1);
  assert.is(r.stdout, '');
  assert.not.match(r.stderr, /LLVM ERROR/);
  assert.match(r.stderr, /^ERROR: LLVM could not compile the program: Branch target out of insn range\nHINT: /);
});

test('a 100,000-character string literal is refused at once, as bpftrace refuses it', () => {
  const s = 'x'.repeat(100_000);
  const prog = `BEGIN { @s = "${s}"; exit(); }`;
  const ours = bpfscript(['-e', prog], { timeoutMs: 60_000 });
  assert.is(ours.status, 1);
  const first = (t: string) => t.split('\n')[0];
  assert.is(first(ours.stderr), `stdin:1:14-100016: ERROR: String is too long (over 64 bytes): ${s}`);
  assert.is(first(ours.stderr), first(bpftrace(['-e', prog]).stderr));
});

test('string literal limit: 63 characters pass; printf formats and cgroupid paths are exempt; spans as bpftrace', () => {
  const s63 = 'y'.repeat(63);
  const ok = `BEGIN { @s = "${s63}"; printf("${'f'.repeat(100)}\\n"); exit(); }`;
  const ours = bpfscript(['-e', ok]);
  assert.is(ours.stderr, '');
  assert.is(ours.stdout, bpftrace(['-e', ok]).stdout);
  const long = 'y'.repeat(64);
  for (const prog of [`BEGIN { printf("%s\\n", "${long}"); exit(); }`, `BEGIN { $x = strcontains("${long}", comm); exit(); }`, `BEGIN { @m["${long}"] = 1; exit(); }`]) {
    const r = bpfscript(['-e', prog]);
    assert.is(r.status, 1);
    assert.is(r.stderr.split('\n')[0], bpftrace(['-e', prog]).stderr.split('\n')[0]);
  }
});

test('BTF line text: the script\'s own lines up to LINE_TEXT_MAX_PROGRAMS programs, none beyond (LLVM 14 made it quadratic)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'bpfscript-limits-'));
  const source = 'BEGIN {\n  @a = 1;\n  @b = 2;\n}\n';
  // Not on disk: the text comes from the compile, never from a file LLVM opens.
  const file = join(dir, 'lines.bt');
  const recs = [...lineInfo(ElfFile.fromBuffer(compile(source, { file }).elf)).values()].flat();
  assert.ok(recs.some((r) => r.line === 3 && r.text === '  @b = 2;'), JSON.stringify(recs));
  assert.ok(recs.every((r) => r.file === file), recs[0]?.file);
  const many = Array.from({ length: LINE_TEXT_MAX_PROGRAMS + 1 }, (_, i) => `tracepoint:syscalls:sys_enter_getppid { @[${i}] = count(); }`).join('\n');
  writeFileSync(file, many);
  const big = [...lineInfo(ElfFile.fromBuffer(compile(many, { file }).elf)).values()].flat();
  assert.ok(big.some((r) => r.line === 3), 'line records are still there');
  assert.equal([...new Set(big.map((r) => r.text))], [''], 'no line text copied into the BTF');
  assert.ok(big.every((r) => r.file.endsWith(`bpfscript:${file}`)), big[0]?.file);
});

test.run();
