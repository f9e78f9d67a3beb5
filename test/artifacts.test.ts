// Artifacts (src/artifact/): `bpfscript build` writes one executable file, `bpfscript run` loads it
// with neither the parser nor libLLVM, and refuses a file that was damaged, cut short, written by
// another format version, or that another user could have written, before anything is loaded.

import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { chmodSync, chownSync, mkdtempSync, readdirSync, readFileSync, realpathSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { spawnSync } from './child';
import { BIN, bpfscript, isRoot, renamedFixture } from './helpers';
import { decode, encode } from '../src/artifact/format';

const scratch = mkdtempSync(join(tmpdir(), 'bpfscript-artifacts-'));
const NOBODY = 65534;
const HELLO = 'BEGIN { printf("hi %d\\n", 7); exit(); }';
const HELLO_OUT = 'Attaching 1 probe...\nhi 7\n\n\n';

function built(name: string, args: string[]): string {
  const out = join(scratch, name);
  const r = bpfscript(['build', ...args, '-o', out]);
  assert.is(r.stderr, '', r.stderr);
  assert.is(r.status, 0);
  return out;
}

/** PATH as a fleet machine would have it: bpfscript and node on it, for the #! line. */
const PATH = `${dirname(BIN)}:${dirname(process.execPath)}:${process.env.PATH}`;

test('build writes an executable file that runs a tracepoint count by comm, hist() and printf of str() as the script does', () => {
  if (!isRoot) return;
  const { path: workload, comm } = renamedFixture('openpaths');
  const script = join(scratch, 'opens.bt');
  writeFileSync(script, `tracepoint:syscalls:sys_enter_openat /comm == "${comm}"/ { @opens[comm] = count(); @h = hist(5); printf("open %s\\n", str(args->filename)); }\n`);
  const art = built('opens', [script]);
  const st = statSync(art);
  assert.is(st.mode & 0o777, 0o755);
  assert.is(readFileSync(art, 'latin1').split('\n')[0], '#!/usr/bin/env -S bpfscript run');
  const cmd = `${workload} 3 /tmp/artifact-a /tmp/artifact-bb`;
  // Executed directly, through its #! line.
  const r = spawnSync(art, ['-c', cmd], { encoding: 'utf8', timeout: 60_000, env: { ...process.env, PATH } });
  assert.is(r.stderr, '');
  assert.is(r.status, 0);
  const opens = 'open /tmp/artifact-a\nopen /tmp/artifact-bb\n'.repeat(3);
  const hist = '@h: \n[4, 8)                 6 |@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@|\n';
  assert.is(r.stdout, `Attaching 1 probe...\n${opens}\n\n${hist}\n@opens[${comm}]: 6\n`);
  // The same as the script run itself.
  const direct = bpfscript(['--no-cache', script, '-c', cmd]);
  assert.is(direct.stdout, r.stdout);
});

test('the run path loads neither libLLVM nor the parser: every libLLVM is /dev/null in its mount namespace', () => {
  if (!isRoot) return;
  const art = built('hello', ['-e', HELLO]);
  const libs = new Set<string>();
  for (const dir of ['/usr/lib/x86_64-linux-gnu', '/usr/lib/aarch64-linux-gnu', '/usr/lib64', '/usr/lib']) {
    let names: string[] = [];
    try {
      names = readdirSync(dir);
    } catch {
      continue;
    }
    for (const n of names) if (/^libLLVM.*\.so/.test(n)) libs.add(realpathSync(join(dir, n)));
  }
  for (const d of readdirSync('/usr/lib').filter((n) => n.startsWith('llvm-'))) {
    for (const n of readdirSync(join('/usr/lib', d, 'lib')).filter((x) => /^libLLVM.*\.so/.test(x))) libs.add(realpathSync(join('/usr/lib', d, 'lib', n)));
  }
  assert.ok(libs.size > 0, 'this machine has a libLLVM to hide');
  const hide = [...libs].map((l) => `mount --bind /dev/null ${l}`).join(' && ');
  const inNamespace = (args: string[], env: NodeJS.ProcessEnv = {}) =>
    spawnSync('unshare', ['-m', 'sh', '-c', `${hide} && exec "$0" "$@"`, process.execPath, BIN, ...args], { encoding: 'utf8', timeout: 60_000, env: { ...process.env, ...env } });
  // The namespace does hide it: a compile there fails.
  const compile = inNamespace(['-e', HELLO], { BPFSCRIPT_CACHE: '0' });
  assert.is(compile.status, 1);
  assert.match(compile.stderr, /^ERROR: cannot load \S*libLLVM/);
  const r = inNamespace(['run', art], { BPFSCRIPT_DEBUG_MODULES: '1' });
  assert.is(r.stdout, HELLO_OUT);
  assert.is(r.status, 0, r.stderr);
  const [, modules, libraries] = /^loaded modules:\n([\s\S]*)loaded libraries:\n([\s\S]*)$/.exec(r.stderr) ?? [];
  assert.ok(modules && libraries, r.stderr);
  assert.match(modules, /dist\/runtime\/session\.js/, 'the list is the real one');
  assert.match(libraries, /libbpf\.so/);
  for (const parserOrCompiler of [/\/grammar\//, /chevrotain/, /\/src\/semantic\/index\.js/, /\/src\/codegen\/llvm\//, /\/src\/codegen\/program\.js/]) {
    assert.not.match(modules, parserOrCompiler);
  }
  assert.not.match(libraries, /libLLVM/);
  // The same list from a compiling run names them all: the list would show them.
  const compiled = bpfscript(['--no-cache', '-e', HELLO], { env: { BPFSCRIPT_DEBUG_MODULES: '1' } });
  assert.is(compiled.stdout, HELLO_OUT);
  for (const loaded of [/\/grammar\//, /chevrotain/, /\/src\/semantic\/index\.js/, /\/src\/codegen\/llvm\//, /\/src\/codegen\/program\.js/, /libLLVM/]) {
    assert.match(compiled.stderr, loaded);
  }
});

/** Runs `art` in a namespace where libbpf cannot load either: a refusal must come before any load. */
function refused(art: string): { status: number | null; stdout: string; stderr: string } {
  const lib = realpathSync(/=> (\S+)/.exec(spawnSync('sh', ['-c', 'ldconfig -p | grep "libbpf.so.1 "'], { encoding: 'utf8' }).stdout)![1]);
  const r = spawnSync('unshare', ['-m', 'sh', '-c', `mount --bind /dev/null ${lib} && exec "$0" "$@"`, process.execPath, BIN, 'run', art], { encoding: 'utf8', timeout: 60_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

function assertRefused(art: string, why: RegExp): void {
  const r = refused(art);
  assert.is(r.stdout, '');
  assert.is(r.status, 1);
  assert.match(r.stderr, why);
  assert.is(r.stderr.split('\n').length, 2, `one line: ${r.stderr}`);
}

test('a tampered artifact is refused before anything is loaded', () => {
  if (!isRoot) return;
  const art = built('tampered', ['-e', HELLO]);
  const data = readFileSync(art);
  data[data.length - 8] ^= 0x01;
  writeFileSync(art, data);
  assertRefused(art, /^ERROR: refusing artifact '[^']+': integrity check failed: the contents do not match their sha256; rebuild it with bpfscript build\n$/);
  // Re-encoded with a matching hash, the edit would load: the hash is what stopped it.
  const forged = decode(readFileSync(built('retouched', ['-e', HELLO])));
  (forged.header.meta.events[0].data as { format: string }).format = 'HO %d\n';
  writeFileSync(art, encode(forged, '#!/usr/bin/env -S bpfscript run'));
  assert.is(bpfscript(['run', art]).stdout, HELLO_OUT.replace('hi 7', 'HO 7'));
});

test('a truncated artifact is refused, wherever it was cut', () => {
  if (!isRoot) return;
  const art = built('truncated', ['-e', HELLO]);
  const data = readFileSync(art);
  writeFileSync(art, data.subarray(0, data.length - 100));
  assertRefused(art, /^ERROR: refusing artifact '[^']+': the artifact is truncated \(\d+ of \d+ bytes\); rebuild it with bpfscript build\n$/);
  writeFileSync(art, data.subarray(0, 40));
  assertRefused(art, /^ERROR: refusing artifact '[^']+': the artifact is truncated; rebuild it with bpfscript build\n$/);
});

test('an artifact of another format version is refused', () => {
  if (!isRoot) return;
  const art = built('version', ['-e', HELLO]);
  writeFileSync(art, Buffer.from(readFileSync(art, 'latin1').replace('bpfscript-artifact 1\n', 'bpfscript-artifact 2\n'), 'latin1'));
  assertRefused(art, /^ERROR: refusing artifact '[^']+': artifact format version 2; this bpfscript reads version 1; rebuild it with bpfscript build\n$/);
  writeFileSync(art, 'BEGIN { exit(); }\n');
  assertRefused(art, /^ERROR: refusing artifact '[^']+': not a bpfscript artifact\n$/);
});

test('an artifact others may write, or another user owns, is refused', () => {
  if (!isRoot) return;
  const art = built('modes', ['-e', HELLO]);
  chmodSync(art, 0o775);
  assertRefused(art, /^ERROR: refusing artifact '[^']+': it is writable by other users \(mode 0775; chmod go-w it\)\n$/);
  chmodSync(art, 0o757);
  assertRefused(art, /writable by other users \(mode 0757/);
  chmodSync(art, 0o755);
  chownSync(art, NOBODY, NOBODY);
  assertRefused(art, /^ERROR: refusing artifact '[^']+': it is owned by uid 65534, not by root or you, so they could rewrite what root loads\n$/);
  chownSync(art, 0, 0);
  assert.is(bpfscript(['run', art]).stdout, HELLO_OUT);
});

test('a compile-cache entry others may write is not believed', () => {
  if (!isRoot) return;
  const dir = join(scratch, 'cache');
  const first = bpfscript(['-e', HELLO], { env: { BPFSCRIPT_CACHE_DIR: dir } });
  assert.is(first.stdout, HELLO_OUT);
  const [name] = readdirSync(dir).filter((n) => n.endsWith('.bpfc'));
  const entry = join(dir, name);
  const e = decode(readFileSync(entry));
  (e.header.meta.events[0].data as { format: string }).format = 'PWNED %d\n';
  writeFileSync(entry, encode(e));
  chmodSync(entry, 0o666);
  assert.is(bpfscript(['-e', HELLO], { env: { BPFSCRIPT_CACHE_DIR: dir } }).stdout, HELLO_OUT);
});

test('positional parameters are given at run time: $N as integers, $# their count', () => {
  if (!isRoot) return;
  const art = built('positional', ['-e', 'BEGIN { printf("%d %d %d argc=%d\\n", $1, $2 * 2, $3, $#); if ($1 > 5) { printf("big\\n"); } exit(); }']);
  assert.is(bpfscript(['run', art, '7', '0x10']).stdout, 'Attaching 1 probe...\n7 32 0 argc=2\nbig\n\n\n');
  // The same file, other arguments: nothing was fixed at build time.
  const r = spawnSync(art, ['--', '-1', '010', '3', 'extra'], { encoding: 'utf8', timeout: 60_000, env: { ...process.env, PATH } });
  assert.is(r.stdout, 'Attaching 1 probe...\n-1 16 3 argc=4\n\n\n');
  const bad = bpfscript(['run', art, 'abc']);
  assert.is(bad.status, 1);
  assert.is(bad.stdout, '');
  assert.match(bad.stderr, /^ERROR: positional parameter \$1 must be a number in this artifact, got 'abc'\n/);
});

test('str($N) in an artifact is the run\'s argument as text, cut to the string length', () => {
  if (!isRoot) return;
  const art = built('text', ['-e', 'BEGIN { printf("[%s] %d [%s] argc=%d\\n", str($1), $2, str($3, 2), $#); if (str($1) == "abc") { printf("match\\n"); } exit(); }']);
  assert.is(bpfscript(['run', art, 'abc', '5', 'xyz']).stdout, 'Attaching 1 probe...\n[abc] 5 [xy] argc=3\nmatch\n\n\n');
  const long = 'x'.repeat(100);
  assert.is(bpfscript(['run', art, long]).stdout, `Attaching 1 probe...\n[${'x'.repeat(63)}] 0 [] argc=1\n\n\n`);
  // $1 is only read as text here: any argument will do, where $2 must be a number.
  assert.match(bpfscript(['run', art, 'abc', 'def']).stderr, /^ERROR: positional parameter \$2 must be a number in this artifact, got 'def'\n/);
  // As the script run itself prints it.
  assert.is(bpfscript(['run', art, 'abc', '5', 'xyz']).stdout, bpfscript(['--no-cache', '-e', 'BEGIN { printf("[%s] %d [%s] argc=%d\\n", str($1), $2, str($3, 2), $#); if (str($1) == "abc") { printf("match\\n"); } exit(); }', 'abc', '5', 'xyz']).stdout);
});

test('build refuses positional parameters it would need before run time: as text, in attach points', () => {
  const out = join(scratch, 'refused');
  const r = bpfscript(['build', '-e', 'BEGIN { printf("%s\\n", str($1 + 1)); exit(); }', '-o', out]);
  assert.is(r.status, 1);
  assert.is(r.stdout, '');
  assert.match(r.stderr, /^stdin:1:28-30: ERROR: an artifact cannot read positional parameters as text except as str\(\$1\) itself\n/);
  const r2 = bpfscript(['build', '-e', 'interval:ms:$1 { exit(); }', '-o', out]);
  assert.match(r2.stderr, /ERROR: an artifact cannot take positional parameters in an attach point: interval:ms:\$1/);
  assert.not.ok(readdirSync(scratch).includes('refused'), 'nothing was written');
});

/** How many CO-RE relocations the ELF's .BTF.ext holds. */
function coreRelocations(elf: Buffer): number {
  const shoff = Number(elf.readBigUInt64LE(0x28));
  const [size, count, names] = [elf.readUInt16LE(0x3a), elf.readUInt16LE(0x3c), elf.readUInt16LE(0x3e)];
  const section = (i: number) => ({ name: elf.readUInt32LE(shoff + i * size), offset: Number(elf.readBigUInt64LE(shoff + i * size + 0x18)) });
  const strtab = section(names).offset;
  for (let i = 0; i < count; i++) {
    const s = section(i);
    if (elf.toString('latin1', strtab + s.name, elf.indexOf(0, strtab + s.name)) !== '.BTF.ext') continue;
    const hdrLen = elf.readUInt32LE(s.offset + 4);
    if (hdrLen < 32) return 0;
    const start = s.offset + hdrLen + elf.readUInt32LE(s.offset + 24);
    const end = start + elf.readUInt32LE(s.offset + 28);
    const recSize = end > start ? elf.readUInt32LE(start) : 0;
    let n = 0;
    for (let at = start + 4; at < end; ) {
      const num = elf.readUInt32LE(at + 4);
      n += num;
      at += 8 + num * recSize;
    }
    return n;
  }
  return 0;
}

test('kernel struct members are read through CO-RE relocations in an artifact; on another kernel the rest is checked before anything loads', () => {
  if (!isRoot) return;
  const script = 'tracepoint:syscalls:sys_enter_getppid /pid == cpid/ { printf("%d %d\\n", curtask->pid == cpid, curtask->real_parent->pid > 0); exit(); }';
  const cmd = 'python3 -c "import os; os.getppid()"';
  const art = built('portable', ['-e', script]);
  const original = decode(readFileSync(art));
  const layout = original.header.meta.kernelLayout!;
  assert.equal(layout.map((l) => `${l.struct}.${l.member}${l.relocated ? ' (relocated)' : ''}`).sort(), ['struct task_struct.pid (relocated)', 'struct task_struct.real_parent (relocated)']);
  // One relocation per member read (curtask->pid and ...->real_parent->pid share one).
  assert.is(coreRelocations(original.elf), 2);
  // A script run compiles fixed offsets, as before.
  const plain = join(scratch, 'plain.o');
  assert.is(bpfscript(['--emit-elf', plain, '-e', script]).status, 0);
  assert.is(coreRelocations(readFileSync(plain)), 0);
  type Layout = { name: string; path: string; fields: string[] };
  const tracepoints = original.header.tracepoints as Layout[];
  assert.equal(tracepoints.map((t) => t.name), ['syscalls:sys_enter_getppid']);
  assert.ok(tracepoints[0].fields.includes('field:int __syscall_nr; offset:8; size:4; signed:1;'), tracepoints[0].fields.join('\n'));
  const release = spawnSync('uname', ['-r'], { encoding: 'utf8' }).stdout.trim();
  /** The artifact as if built on kernel 0.0.0-elsewhere, edited by `edit`, checksum and all. */
  const elsewhere = (edit: (h: typeof original.header) => void): void => {
    const c = decode(readFileSync(built('portable', ['-e', script])));
    c.header.kernel = '0.0.0-elsewhere';
    edit(c.header);
    writeFileSync(art, encode(c, '#!/usr/bin/env -S bpfscript run'));
  };
  // Where every member sits as the build kernel had it, it runs, saying what was not checked.
  elsewhere(() => {});
  const ok = bpfscript(['run', art, '-c', cmd]);
  assert.is(ok.stdout, 'Attaching 1 probe...\n1 1\n\n\n');
  assert.is(ok.stderr, `WARNING: this artifact was built on kernel 0.0.0-elsewhere and runs on ${release}: kernel addresses (kaddr) and the functions a wildcard matched are 0.0.0-elsewhere's\n`);
  const pid = layout.find((l) => l.member === 'pid')!;
  const pidLayout = (h: typeof original.header) => h.meta.kernelLayout!.find((l) => l.member === 'pid')!;
  // A relocated member may move (libbpf fixes the offset), not change size (the read is the build's).
  elsewhere((h) => (pidLayout(h).offset += 8));
  assert.is(bpfscript(['run', art, '-c', cmd]).stdout, 'Attaching 1 probe...\n1 1\n\n\n');
  elsewhere((h) => (pidLayout(h).bytes = 8));
  assertRefused(art, new RegExp(`^ERROR: this artifact cannot run on kernel ${release}: struct task_struct's member 'pid' is at byte ${pid.offset} \\(4 bytes\\) here, at byte ${pid.offset} \\(8 bytes\\) on 0\\.0\\.0-elsewhere, where it was built; rebuild it on this kernel\n$`));
  // One read at a fixed offset (a bitfield, a member of a named union) must not have moved.
  elsewhere((h) => Object.assign(pidLayout(h), { relocated: undefined, offset: pid.offset + 8 }));
  assertRefused(art, new RegExp(`^ERROR: this artifact cannot run on kernel ${release}: struct task_struct's member 'pid' is at byte ${pid.offset} \\(4 bytes\\) here, at byte ${pid.offset + 8} \\(4 bytes\\) on 0\\.0\\.0-elsewhere, where it was built; rebuild it on this kernel\n$`));
  elsewhere((h) => (h.meta.kernelLayout!.find((l) => l.member === 'pid')!.member = 'pid_of_old'));
  assertRefused(art, /^ERROR: this artifact cannot run on kernel \S+: struct task_struct has no member named 'pid_of_old' \(built on 0\.0\.0-elsewhere\); rebuild it on this kernel\n$/);
  const moved = (f: string) => f.replace('__syscall_nr; offset:8;', '__syscall_nr; offset:12;');
  elsewhere((h) => ((h.tracepoints as Layout[])[0].fields = (h.tracepoints as Layout[])[0].fields.map(moved)));
  assertRefused(art, /^ERROR: this artifact cannot run on kernel \S+: tracepoint syscalls:sys_enter_getppid's fields differ from 0\.0\.0-elsewhere's, where it was built: 'field:int __syscall_nr; offset:8; size:4; signed:1;' here, 'field:int __syscall_nr; offset:12; size:4; signed:1;' there; rebuild it on this kernel\n$/);
  elsewhere((h) => ((h.tracepoints as Layout[])[0] = { ...tracepoints[0], name: 'syscalls:sys_enter_nosuch', path: '/sys/kernel/tracing/events/syscalls/sys_enter_nosuch/format' }));
  assertRefused(art, /^ERROR: this artifact cannot run on kernel \S+: it has no tracepoint syscalls:sys_enter_nosuch \(built on 0\.0\.0-elsewhere\); rebuild it on this kernel\n$/);
});

test('--unsafe given at build must be given again at run; run-time options', () => {
  if (!isRoot) return;
  const art = built('unsafe', ['--unsafe', '-e', 'BEGIN { system("echo from-system"); exit(); }']);
  const r = bpfscript(['run', art]);
  assert.is(r.status, 1);
  assert.match(r.stderr, /compiled with --unsafe/);
  assert.is(bpfscript(['run', art, '--unsafe', '-q']).stdout, 'from-system\n\n\n');
  const hello = built('hello-json', ['-e', HELLO]);
  const json = bpfscript(['run', hello, '-f', 'json']).stdout;
  assert.match(json, /^\{"type": "attached_probes", "data": \{"probes": 1\}\}\n\{"type": "printf", "data": "hi 7\\n"\}\n/);
  assert.is(json, bpfscript(['--no-cache', '-f', 'json', '-e', HELLO]).stdout);
  // --explain shows the stored script's stages.
  assert.match(bpfscript(['run', hello, '--explain']).stdout, /^== AST \(what the parser understood\) ==\nProgram {2}1:1\n[\s\S]*StrLit "hi %d\\n"[\s\S]*== Types/);
});

test.after(() => rmSync(scratch, { recursive: true, force: true }));

test.run();
