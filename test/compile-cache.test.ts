// The compile cache (src/cache/): a repeat run is served from the stored ELF + ProgramMeta, an entry
// is dropped when a file the compile read changes, a damaged entry is a miss, errors are never
// stored, and --no-cache / BPFSCRIPT_CACHE=0 switch it off. Entries are edited in place to observe
// which path a run took: a cached run prints what the stored ProgramMeta says.

import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bpfscript } from './helpers';
import { decode, encode, type ContainerHeader } from '../src/artifact/format';

// The tracepoint makes its format file a dependency; the predicate, true for no process, keeps the
// count at 0 whatever else runs on the machine (another copy of the suite runs getppid workloads).
const SCRIPT = 'tracepoint:syscalls:sys_enter_getppid /comm == "no such comm!"/ { @n = count(); } BEGIN { printf("hi %d\\n", 7); exit(); }';
const EXPECTED = 'Attaching 2 probes...\nhi 7\n\n\n@n: 0\n';

interface Entry {
  path: string;
  header: { meta: { events: { data: { format?: string } }[] }; deps: { path: string; value: string }[] };
  elf: Buffer;
}

function entries(dir: string): string[] {
  return readdirSync(dir).filter((n) => n.endsWith('.bpfc'));
}

function readEntry(dir: string): Entry {
  const [name] = entries(dir);
  const path = join(dir, name);
  const { header, elf } = decode(readFileSync(path));
  return { path, header: header as unknown as Entry['header'], elf };
}

/** Written back with a fresh checksum: the edit itself, not a damaged file, is what the run sees. */
function writeEntry(e: Entry): void {
  writeFileSync(e.path, encode({ header: e.header as unknown as ContainerHeader, elf: e.elf }));
}

function freshDir(): string {
  return mkdtempSync(join(tmpdir(), 'bpfscript-cache-test-'));
}

function run(dir: string, args: string[], env: NodeJS.ProcessEnv = {}) {
  return bpfscript(args, { env: { BPFSCRIPT_CACHE_DIR: dir, ...env } });
}

/** Marks the stored printf format, so a run served from the entry prints "HI" instead of "hi". */
function markEntry(dir: string): void {
  const e = readEntry(dir);
  const ev = e.header.meta.events.find((x) => x.data.format === 'hi %d\n');
  assert.ok(ev, 'the entry holds the printf format');
  ev!.data.format = 'HI %d\n';
  writeEntry(e);
}

test('a repeat run is served from the cache entry the first run wrote', () => {
  const dir = freshDir();
  const first = run(dir, ['-e', SCRIPT]);
  assert.is(first.stderr, '');
  assert.is(first.stdout, EXPECTED);
  assert.is(entries(dir).length, 1);
  const e = readEntry(dir);
  assert.equal(e.header.deps.map((d) => d.path), ['/sys/kernel/tracing/events/syscalls/sys_enter_getppid/format']);
  assert.is(e.elf.subarray(0, 4).toString('latin1'), '\x7fELF');
  markEntry(dir);
  const second = run(dir, ['-e', SCRIPT]);
  assert.is(second.stdout, EXPECTED.replace('hi 7', 'HI 7'));
  assert.is(second.status, 0);
});

test('--no-cache and BPFSCRIPT_CACHE=0 compile afresh', () => {
  const dir = freshDir();
  run(dir, ['-e', SCRIPT]);
  markEntry(dir);
  assert.is(run(dir, ['--no-cache', '-e', SCRIPT]).stdout, EXPECTED);
  assert.is(run(dir, ['-e', SCRIPT], { BPFSCRIPT_CACHE: '0' }).stdout, EXPECTED);
  const off = freshDir();
  assert.is(run(off, ['-e', SCRIPT], { BPFSCRIPT_CACHE: '0' }).stdout, EXPECTED);
  assert.is(entries(off).length, 0);
});

test('an entry whose recorded tracepoint format no longer matches is recompiled', () => {
  const dir = freshDir();
  run(dir, ['-e', SCRIPT]);
  markEntry(dir);
  const e = readEntry(dir);
  e.header.deps[0].value = 'a format the kernel no longer has';
  writeEntry(e);
  assert.is(run(dir, ['-e', SCRIPT]).stdout, EXPECTED);
  // The recompiled entry replaced the stale one.
  assert.is(entries(dir).length, 1);
  assert.is.not(readEntry(dir).header.deps[0].value, 'a format the kernel no longer has');
});

test('a damaged entry is a miss, not an error', () => {
  const dir = freshDir();
  run(dir, ['-e', SCRIPT]);
  const e = readEntry(dir);
  writeFileSync(e.path, readFileSync(e.path).subarray(0, 100));
  const r = run(dir, ['-e', SCRIPT]);
  assert.is(r.stderr, '');
  assert.is(r.stdout, EXPECTED);
  // A flipped ELF byte fails the checksum the same way.
  const data = readFileSync(e.path);
  data[data.length - 1] ^= 0xff;
  writeFileSync(e.path, data);
  assert.is(run(dir, ['-e', SCRIPT]).stdout, EXPECTED);
});

test('a different script, or the same script under another file name, gets its own entry', () => {
  const dir = freshDir();
  run(dir, ['-e', SCRIPT]);
  const other = run(dir, ['-e', SCRIPT.replace('hi %d', 'ho %d')]);
  assert.is(other.stdout, EXPECTED.replace('hi 7', 'ho 7'));
  const file = join(dir, 'script.bt');
  writeFileSync(file, SCRIPT);
  assert.is(run(dir, [file]).stdout, EXPECTED);
  assert.is(entries(dir).length, 3);
});

test('errors are never cached: the same diagnostic each time, no entry', () => {
  const dir = freshDir();
  const bad = 'BEGIN { @x = nope; }';
  const a = run(dir, ['-e', bad]);
  const b = run(dir, ['-e', bad]);
  assert.is(a.status, 1);
  assert.match(a.stderr, /^stdin:1:14-18: ERROR: Unknown identifier: 'nope'\n/);
  assert.is(b.stderr, a.stderr);
  assert.is(entries(dir).length, 0);
});

test.run();
