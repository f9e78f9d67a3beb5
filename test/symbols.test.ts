// Symbol readers and resolvers, checked against independent sources: nm for ELF symbol tables,
// /proc/kallsyms read directly, readelf for USDT notes, ldconfig for library names.

import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { execFileSync, spawn } from './child';
import { existsSync, mkdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { ElfFile } from '../common/kernel/elf';
import { resolveLibrary } from '../common/kernel/ldcache';
import { parseUsdtArg, usdtNotes } from '../common/kernel/stapsdt';
import { closestNames, functionSymbols } from '../common/kernel/elf-symbols';
import { formatSymbol, kernelSymbols, processSymbols } from '../runtime/symbols';
import { ROOT, dynamicFixture } from './helpers';

const app = (): string => dynamicFixture('usdt-app', '-O1');

/** name → address, from nm (defined text symbols). */
function nm(path: string, dynamic = false): Map<string, bigint> {
  const out = execFileSync('nm', [...(dynamic ? ['-D'] : []), '--defined-only', path], { encoding: 'utf8' });
  const m = new Map<string, bigint>();
  for (const line of out.split('\n')) {
    const r = /^([0-9a-f]+) [TtWi] (\S+?)(@.*)?$/.exec(line);
    if (r && !m.has(r[2])) m.set(r[2], BigInt(`0x${r[1]}`));
  }
  return m;
}

test('ELF function symbols agree with nm', () => {
  const bin = app();
  const ours = new Map(functionSymbols(ElfFile.open(bin)).map((s) => [s.name, s.addr]));
  const theirs = nm(bin);
  for (const name of ['main', 'work', '_start']) assert.is(ours.get(name), theirs.get(name), name);
  const libc = resolveLibrary('libc')!;
  const dyn = new Map(functionSymbols(ElfFile.open(libc)).map((s) => [s.name, s.addr]));
  for (const name of ['getppid', 'malloc', 'printf']) assert.is(dyn.get(name), nm(libc, true).get(name), name);
});

test('library names resolve as the loader resolves them', () => {
  const fromLdconfig = /libc\.so\.6 \(libc6,x86-64\) => (\S+)/.exec(execFileSync('ldconfig', ['-p'], { encoding: 'utf8' }))![1];
  assert.is(resolveLibrary('libc'), fromLdconfig);
  assert.is(resolveLibrary('c'), fromLdconfig);
  assert.is(resolveLibrary('libc.so.6'), fromLdconfig);
  assert.is(resolveLibrary('no-such-library-anywhere'), null);
});

test('USDT notes agree with readelf, semaphores included', () => {
  const bin = app();
  const notes = usdtNotes(ElfFile.open(bin));
  const re = execFileSync('readelf', ['-n', bin], { encoding: 'utf8' });
  const want = [...re.matchAll(/Provider: (\S+)\n\s+Name: (\S+)\n\s+Location: 0x([0-9a-f]+), Base: 0x[0-9a-f]+, Semaphore: 0x([0-9a-f]+)\n\s+Arguments: (.*)\n/g)].map(
    (m) => ({ provider: m[1], name: m[2], sem: BigInt(`0x${m[4]}`), args: m[5].trim() }),
  );
  assert.equal(
    notes.map((n) => ({ provider: n.provider, name: n.name, sem: n.semaphoreAddr, args: n.args })),
    want,
  );
  assert.equal(want.map((w) => w.name), ['loop', 'guarded', 'done']);
  // the semaphore addresses are those of the fixture's *_semaphore variables
  assert.is(notes[1].semaphoreAddr, nm(bin).get('bpfs_guarded_semaphore') ?? BigInt(`0x${/([0-9a-f]+) D bpfs_guarded_semaphore/.exec(execFileSync('nm', [bin], { encoding: 'utf8' }))![1]}`));
});

test('USDT argument specs', () => {
  assert.equal(parseUsdtArg('-4@%edi'), { kind: 'reg', reg: 'edi', size: 4, signed: true });
  assert.equal(parseUsdtArg('8@-16(%rbp)'), { kind: 'mem', reg: 'rbp', disp: -16, size: 8, signed: false });
  assert.equal(parseUsdtArg('2@(%rax)'), { kind: 'mem', reg: 'rax', disp: 0, size: 2, signed: false });
  assert.equal(parseUsdtArg('4@$-5'), { kind: 'const', value: -5n, size: 4, signed: false });
  assert.equal(parseUsdtArg('-1@$0x10'), { kind: 'const', value: 16n, size: 1, signed: true });
  assert.is(parseUsdtArg('8@sym(%rip,%rax,8)'), null);
});

test('did-you-mean picks the nearest names', () => {
  assert.equal(closestNames('wrok', ['work', 'main', 'worker', '_start']), ['work']);
  assert.equal(closestNames('mallco', ['malloc', 'calloc', 'mallopt', 'free']), ['malloc']);
  assert.equal(closestNames('getpid', ['getppid', 'getpid2', 'gettid', 'kill']), ['getpid2', 'getppid', 'gettid']);
  assert.equal(closestNames('zzzzzzzz', ['work', 'main']), []);
});

test('kernel symbols resolve against /proc/kallsyms', () => {
  const line = readFileSync('/proc/kallsyms', 'utf8').split('\n').find((l) => / T do_nanosleep$/.test(l) || / T vfs_read$/.test(l))!;
  const [hex, , name] = line.split(' ');
  const addr = BigInt(`0x${hex}`);
  const k = kernelSymbols();
  assert.equal(k.resolve(addr), { name, offset: 0 });
  assert.equal(k.resolve(addr + 5n), { name, offset: 5 });
  assert.is(formatSymbol(k.resolve(addr + 5n)!, true), `${name}+5`);
  assert.is(formatSymbol(k.resolve(addr + 5n)!, false), name);
  assert.is(k.address(name), addr);
});

test('user symbols of a live process, and after it exits', async () => {
  const bin = app();
  const p = spawn(bin, ['1', 'wait'], { stdio: ['pipe', 'ignore', 'ignore'] });
  const exited = new Promise((res) => p.on('exit', res));
  try {
    // wait for the loader to map libc
    let maps = '';
    for (let i = 0; i < 200 && !maps.includes('libc.so'); i++) {
      await new Promise((r) => setTimeout(r, 5));
      maps = readFileSync(`/proc/${p.pid}/maps`, 'utf8');
    }
    const base = (path: string) => BigInt(`0x${new RegExp(`^([0-9a-f]+)-[0-9a-f]+ \\S+ 0+ .*${path.replace(/[.]/g, '\\.')}$`, 'm').exec(maps)![1]}`);
    const libc = resolveLibrary('libc')!;
    const workAddr = base(bin) + nm(bin).get('work')!;
    const ppidAddr = base(libc) + nm(libc, true).get('getppid')!;
    const syms = processSymbols(p.pid!)!;
    assert.equal(syms.resolve(workAddr + 3n), { name: 'work', offset: 3, object: bin });
    // the object as the kernel names the mapping (/usr/lib/… on a merged-/usr system)
    const libcMapped = new RegExp(`^[0-9a-f]+-[0-9a-f]+ \\S+ 0+ \\S+ \\d+\\s+(\\S*libc\\.so\\.6)$`, 'm').exec(maps)![1];
    assert.equal(syms.resolve(ppidAddr), { name: 'getppid', offset: 0, object: libcMapped });
    p.stdin!.end('go\n');
    await exited;
    // the process is gone: its remembered mappings still resolve
    assert.ok(!existsSync(`/proc/${p.pid}`));
    assert.equal(processSymbols(p.pid!)!.resolve(workAddr), { name: 'work', offset: 0, object: bin });
  } finally {
    p.kill();
  }
});

test.run();
