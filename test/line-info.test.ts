// The kernel's own tools show the script: the BTF line info carries each line's text, so
// `bpftool prog dump xlated|jited id N linum` and the verifier's log print the .bt lines under the
// instructions they became. Programs are found through this run's own process (its bpf-prog file
// descriptors), never by a name another run could share.

import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { execFileSync, spawn } from './child';
import { readdirSync, readFileSync, readlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { BIN, bpfscript, isRoot, runDir } from './helpers';
import { compile } from '../src/compile';
import { ElfFile } from '../common/kernel/elf';
import { lineInfo } from '../src/explain/btf-ext';
import { BpfObject } from '../runtime/libbpf';
import { useLibbpfFeatureProbes } from '../runtime/feature-probes';

// In-process compiles ask this kernel what it allows, as the CLI does.
useLibbpfFeatureProbes();

/** The ids of the BPF programs process `pid` holds open. */
function programIds(pid: number): number[] {
  const ids: number[] = [];
  for (const fd of readdirSync(`/proc/${pid}/fd`)) {
    let target = '';
    try {
      target = readlinkSync(`/proc/${pid}/fd/${fd}`);
    } catch {
      continue;
    }
    if (target !== 'anon_inode:bpf-prog') continue;
    const m = /^prog_id:\s+(\d+)$/m.exec(readFileSync(`/proc/${pid}/fdinfo/${fd}`, 'utf8'));
    if (m) ids.push(Number(m[1]));
  }
  return ids;
}

/** Runs bpfscript until it has attached, hands its program ids to `look`, then stops it. */
function whileLoaded<T>(args: string[], look: (ids: number[]) => T, env: NodeJS.ProcessEnv = process.env): Promise<{ seen: T; status: number | null; stderr: string }> {
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, [BIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'], timeout: 60_000, env });
    let stdout = '';
    let stderr = '';
    let seen: T | undefined;
    let failure: unknown;
    p.stdout!.on('data', (d) => {
      stdout += d;
      if (seen !== undefined || failure !== undefined || !stdout.includes('Attaching')) return;
      try {
        seen = look(programIds(p.pid!));
      } catch (e) {
        failure = e;
      }
      p.kill('SIGINT');
    });
    p.stderr!.on('data', (d) => (stderr += d));
    p.on('close', (status) => (failure !== undefined ? reject(failure) : resolve({ seen: seen as T, status, stderr })));
  });
}

const bpftool = (...args: string[]) => execFileSync('bpftool', args, { encoding: 'utf8', timeout: 30_000, stdio: ['ignore', 'pipe', 'pipe'] });

/** The JITed dump, or null where bpftool was built without a disassembler (Debian's is). */
function jited(id: number): string | null {
  try {
    return bpftool('prog', 'dump', 'jited', 'id', String(id), 'linum');
  } catch (e) {
    if (/No libbfd support/.test(String((e as { stderr?: string }).stderr ?? e))) return null;
    throw e;
  }
}

const SCRIPT = `tracepoint:syscalls:sys_enter_getppid
{
  @calls[comm] = count();
  printf("ppid asked by %d\\n", pid);
}
`;

test('code from a standard-library macro is placed at its call: every line record is a line of the script', () => {
  const source = 'tracepoint:syscalls:sys_enter_getppid\n{\n  assert(pid > 0, "pid");\n  @n = count();\n}\n';
  const lines = source.split('\n');
  const recs = [...lineInfo(ElfFile.fromBuffer(compile(source, { file: 'macro.bt', dialect: '0.26' }).elf)).values()].flat();
  assert.ok(recs.some((r) => r.line === 3), 'the assert has line info');
  for (const r of recs) {
    assert.is(r.file, 'macro.bt');
    if (r.line > 0) assert.is(r.text, lines[r.line - 1], `line ${r.line}`);
  }
  assert.ok(recs.every((r) => r.line <= 4), recs.map((r) => r.line).join(','));
});

if (isRoot) {
  test('bpftool prog dump xlated … linum prints the script file\'s lines, file name and line numbers', async () => {
    const file = join(runDir(), 'line-info.bt');
    writeFileSync(file, SCRIPT);
    const r = await whileLoaded([file, '--no-cache'], (ids) => ids.map((id) => bpftool('prog', 'dump', 'xlated', 'id', String(id), 'linum')));
    assert.is(r.status, 0, r.stderr);
    assert.is(r.seen.length, 1, 'one program');
    const dump = r.seen[0];
    assert.match(dump, `; tracepoint:syscalls:sys_enter_getppid [file:${file} line_num:1 line_col:0]\n`);
    assert.match(dump, `; @calls[comm] = count(); [file:${file} line_num:3 line_col:3]\n`);
    assert.match(dump, new RegExp(`; printf\\("ppid asked by %d\\\\n", pid\\); \\[file:${file} line_num:4 line_col:\\d+\\]\\n`));
    // Each line sits above instructions.
    assert.match(dump, /line_num:3 line_col:3\]\n +\d+: \(/);
  });

  test('-e: the program text is the file ("stdin", as in diagnostics), also in the JITed dump', async () => {
    const prog = 'tracepoint:syscalls:sys_enter_getppid { @n = count(); }';
    const r = await whileLoaded(['-e', prog, '--no-cache'], (ids) => ids.map((id) => [
      bpftool('prog', 'dump', 'xlated', 'id', String(id), 'linum'),
      jited(id),
    ]));
    assert.is(r.status, 0, r.stderr);
    const [xlated, machine] = r.seen[0] as [string, string | null];
    assert.match(xlated, `; ${prog} [file:stdin line_num:1 line_col:0]\n`);
    assert.match(xlated, `; ${prog} [file:stdin line_num:1 line_col:41]\n`);
    if (machine !== null) assert.match(machine, `; ${prog} [file:stdin line_num:1 line_col:41]\n`);
  });

  test('a program served from the compile cache carries the same lines', async () => {
    const dir = runDir();
    const file = join(dir, 'cached.bt');
    writeFileSync(file, SCRIPT);
    const env = { ...process.env, BPFSCRIPT_CACHE_DIR: join(dir, 'cache') };
    assert.is(bpfscript(['--dry-run', file], { env }).status, 0, 'first run fills the cache');
    assert.ok(readdirSync(env.BPFSCRIPT_CACHE_DIR!).some((f) => f.endsWith('.bpfc')), 'an entry was written');
    const p = await whileLoaded([file], (ids) => ids.map((id) => bpftool('prog', 'dump', 'xlated', 'id', String(id), 'linum')), env);
    assert.is(p.status, 0, p.stderr);
    assert.match(p.seen[0], `; @calls[comm] = count(); [file:${file} line_num:3 line_col:3]\n`);
  });

  test('the verifier\'s log shows each script line above its instructions', () => {
    const gen = compile(SCRIPT, { file: 'line-info.bt' });
    const obj = BpfObject.openMem(gen.elf, 'bpfscript');
    try {
      // Level 2: every instruction of an accepted program, with its line above it.
      for (const p of obj.programs()) p.setLogBuffer(4 << 20, 2);
      obj.load();
      const log = obj.program(gen.meta.probes[0].progName).log;
      assert.match(log, /^; @calls\[comm\] = count\(\); @ line-info\.bt:3\n\d+: \(/m);
      assert.match(log, /^; printf\("ppid asked by %d\\n", pid\); @ line-info\.bt:4\n/m);
    } finally {
      obj.close();
    }
  });

  test('a rejection\'s explanation quotes the script lines the verifier printed', () => {
    const r = bpfscript(['--no-cache', '-e', 'BEGIN {\n  $i = 0;\n  while (1) { $i++; }\n}'], { timeoutMs: 120_000 });
    assert.is(r.status, 1);
    assert.match(r.stderr, /^stdin:3:1: ERROR: the BPF verifier rejected probe_0: the program contains a loop/m);
    assert.match(r.stderr, /^ {2}stdin:3: while \(1\) \{ \$i\+\+; \}\n {6}\d+: goto pc-1 +<- back to \d+, nothing changed$/m);
  });
}

test.run();
