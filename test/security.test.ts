// The ways an unprivileged local user could make a root bpfscript run their code (issue 20): the
// Node inspector that SIGUSR1 or NODE_OPTIONS would open, and a compile cache another user can
// write into, redirect, or fill with a renamed entry. The attacker's steps run as `nobody`.

import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawn, spawnSync } from './child';
import { chmodSync, chownSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BIN, bpfscript, type RunResult } from './helpers';
import { decode, encode } from '../src/artifact/format';

const NOBODY = 65534;
const scratch = mkdtempSync(join(tmpdir(), 'bpfscript-security-'));
// nobody must reach the directories made for it below (root's own ones stay 0700).
chmodSync(scratch, 0o755);

/** Runs `argv` as nobody, as the unprivileged attacker. */
function asNobody(argv: string[]): void {
  const r = spawnSync('setpriv', ['--reuid=65534', '--regid=65534', '--clear-groups', ...argv], { encoding: 'utf8', timeout: 10_000 });
  assert.is(r.status, 0, `as nobody: ${argv.join(' ')}: ${r.stderr}`);
}

/** Listening TCP sockets of `pid`, from ss. */
function listeningSockets(pid: number): string[] {
  const out = spawnSync('ss', ['-ltnpH'], { encoding: 'utf8', timeout: 10_000 }).stdout ?? '';
  return out.split('\n').filter((l) => l.includes(`pid=${pid},`));
}

test('SIGUSR1 prints every map and tracing goes on, as in bpftrace; no debugger port opens', async () => {
  const p = spawn(process.execPath, [BIN, '-e', 'interval:ms:50 { @c = count(); @s = sum(2); }'], { stdio: ['ignore', 'pipe', 'pipe'] });
  const killer = setTimeout(() => p.kill('SIGKILL'), 30_000);
  let stdout = '';
  let stderr = '';
  p.stdout.on('data', (d) => (stdout += d));
  p.stderr.on('data', (d) => (stderr += d));
  const waitFor = async (pred: () => boolean) => {
    for (let i = 0; i < 200 && !pred(); i++) await new Promise((r) => setTimeout(r, 50));
  };
  await waitFor(() => stdout.includes('Attaching'));
  await new Promise((r) => setTimeout(r, 400));
  p.kill('SIGUSR1');
  await waitFor(() => /@s: \d+\n/.test(stdout));
  const sockets = listeningSockets(p.pid!);
  await new Promise((r) => setTimeout(r, 200));
  p.kill('SIGUSR1');
  await waitFor(() => (stdout.match(/@s: /g) ?? []).length >= 2);
  const alive = p.exitCode === null;
  p.kill('SIGINT');
  const status = await new Promise<number | null>((r) => p.on('close', r));
  clearTimeout(killer);
  assert.equal(sockets, [], 'bpfscript listens on no port after SIGUSR1');
  assert.ok(alive, 'still tracing after SIGUSR1');
  assert.is(status, 0);
  assert.not.match(stderr, /Debugger|inspector/);
  // Two dumps on SIGUSR1 (no blank lines before them), then the exit dump after two blank lines.
  const m = /^Attaching 1 probe\.\.\.\n@c: (\d+)\n@s: (\d+)\n@c: (\d+)\n@s: (\d+)\n\n\n@c: (\d+)\n@s: (\d+)\n$/.exec(stdout);
  assert.ok(m, stdout);
  const [c1, s1, c2, s2, c3, s3] = m!.slice(1).map(Number);
  assert.ok(c1 > 0 && c1 <= c2 && c2 <= c3, 'counts only grow: tracing went on');
  // Each dump reads @c, then @s: a tick may land between the two reads.
  for (const [c, s] of [[c1, s1], [c2, s2], [c3, s3]]) assert.ok(s % 2 === 0 && s / 2 >= c && s / 2 - c <= 2, `@c ${c}, @s ${s}`);
});

test('NODE_OPTIONS in the environment (sudo -E) runs no code and opens no inspector', () => {
  const dir = join(scratch, 'node-options');
  mkdirSync(dir);
  const marker = join(dir, 'ran-as-root');
  const evil = join(dir, 'evil.js');
  writeFileSync(evil, `require('fs').writeFileSync(${JSON.stringify(marker)}, 'x');\n`);
  // The launcher itself, as sudo runs it (not through this node): it is what clears the environment.
  const r = spawnSync(BIN, ['-e', 'BEGIN { printf("ok\\n"); exit(); }'], {
    encoding: 'utf8',
    timeout: 60_000,
    env: { ...process.env, NODE_OPTIONS: `--require ${evil} --inspect-brk=127.0.0.1:0` },
  });
  assert.is(r.stdout, 'Attaching 1 probe...\nok\n\n\n');
  assert.is(r.status, 0);
  assert.not.match(r.stderr, /Debugger|inspector/);
  assert.not.ok(existsSync(marker), 'the --require module did not run');
});

const SCRIPT = 'BEGIN { printf("hi %d\\n", 7); exit(); }';

function run(cacheDir: string, args: string[] = ['-e', SCRIPT]): RunResult {
  return bpfscript(args, { env: { BPFSCRIPT_CACHE_DIR: cacheDir } });
}

function entryNames(dir: string): string[] {
  return readdirSync(dir).filter((n) => n.endsWith('.bpfc'));
}

/** A trusted cache (root's own 0700 directory) holding the entry for `args`, and that entry's path. */
function cachedEntry(name: string, args: string[] = ['-e', SCRIPT]): { dir: string; entry: string } {
  const dir = join(scratch, name);
  mkdirSync(dir, { mode: 0o700 });
  const before = new Set(entryNames(dir));
  assert.is(run(dir, args).status, 0);
  const [entry] = entryNames(dir).filter((n) => !before.has(n));
  assert.ok(entry, 'the first run stored an entry');
  return { dir, entry: join(dir, entry) };
}

/**
 * `entry` rewritten by `edit` with a checksum to match (the hash catches damage, not a forger with
 * write access: that is what the ownership and mode checks are for).
 */
function reforged(entry: string, edit: (text: string) => string): Buffer {
  const { header, elf } = decode(readFileSync(entry));
  return encode({ header: JSON.parse(edit(JSON.stringify(header))), elf });
}

/** A copy of `entry` whose printf format says "PWNED": a run served from it prints that. */
function forged(entry: string, out: string): void {
  writeFileSync(out, reforged(entry, (t) => t.replace('hi %d', 'PWNED')));
}

test("a cache directory another user owns is not used, and the run says so once", () => {
  const { entry } = cachedEntry('trusted-1');
  // The user's own directory, as under `sudo -E` (HOME kept): they plant an entry under the right key.
  const userDir = join(scratch, 'user-owned');
  mkdirSync(userDir, { mode: 0o755 });
  chownSync(userDir, NOBODY, NOBODY);
  const planted = join(scratch, 'planted.bpfc');
  forged(entry, planted);
  chmodSync(planted, 0o644);
  asNobody(['cp', planted, join(userDir, entry.split('/').pop()!)]);
  const r = run(userDir);
  assert.is(r.stdout, 'Attaching 1 probe...\nhi 7\n\n\n');
  assert.is(r.status, 0);
  assert.is(r.stderr.match(/WARNING: not using the compile cache/g)?.length, 1, r.stderr);
  assert.match(r.stderr, /is owned by uid 65534/);
  // Nor is a directory root would create inside the user's: they could rename it away.
  const r2 = run(join(userDir, 'sub'));
  assert.match(r2.stderr, /not using the compile cache/);
  assert.not.ok(existsSync(join(userDir, 'sub')), 'nothing is created under a directory another user owns');
  // And --no-warnings silences the line, not the refusal.
  const r3 = bpfscript(['--no-warnings', '-e', SCRIPT], { env: { BPFSCRIPT_CACHE_DIR: userDir } });
  assert.is(r3.stdout, 'Attaching 1 probe...\nhi 7\n\n\n');
  assert.is(r3.stderr, '');
});

test('a cache directory others may write into is not used', () => {
  const dir = join(scratch, 'group-writable');
  mkdirSync(dir);
  chmodSync(dir, 0o777);
  const r = run(dir);
  assert.is(r.stdout, 'Attaching 1 probe...\nhi 7\n\n\n');
  assert.match(r.stderr, /not using the compile cache at .*group-writable: .* writable by other users/);
  assert.equal(entryNames(dir), []);
});

test('an entry that is a symlink, or a file another user owns, is never read', () => {
  const { dir, entry } = cachedEntry('trusted-2');
  const elsewhere = join(scratch, 'forged-elsewhere.bpfc');
  forged(entry, elsewhere);
  rmSync(entry);
  symlinkSync(elsewhere, entry);
  assert.is(run(dir).stdout, 'Attaching 1 probe...\nhi 7\n\n\n', 'the link was not followed');
  rmSync(entry);
  copyFileSync(elsewhere, entry);
  chownSync(entry, NOBODY, NOBODY);
  assert.is(run(dir).stdout, 'Attaching 1 probe...\nhi 7\n\n\n', "nobody's file was not believed");
});

test('an entry renamed to another script\'s key is a miss; an --unsafe program never runs without --unsafe', () => {
  const unsafeArgs = ['--unsafe', '-e', 'BEGIN { system("echo PWNED"); exit(); }'];
  const { dir, entry: unsafeEntry } = cachedEntry('trusted-3', unsafeArgs);
  const before = new Set(entryNames(dir));
  assert.is(run(dir).status, 0);
  const benign = join(dir, entryNames(dir).find((n) => !before.has(n))!);
  // Renamed whole: the header names the key it was written for.
  renameSync(unsafeEntry, benign);
  const r = run(dir);
  assert.is(r.stdout, 'Attaching 1 probe...\nhi 7\n\n\n');
  // Rewritten to claim the benign key (what only a forger with write access could do): the program
  // still carries --unsafe, which this command line does not grant.
  assert.is(run(dir, unsafeArgs).status, 0);
  const unsafeName = entryNames(dir).find((n) => join(dir, n) !== benign)!;
  const benignKey = benign.split('/').pop()!.replace('.bpfc', '');
  writeFileSync(benign, reforged(join(dir, unsafeName), (t) => t.replace(/"key":"[0-9a-f]+"/, `"key":"${benignKey}"`)));
  const r2 = run(dir);
  assert.not.match(r2.stdout, /PWNED/);
  assert.is(r2.status, 1);
  assert.match(r2.stderr, /compiled with --unsafe/);
  assert.not.match(r2.stderr, /at .*\.js:\d+/, 'no stack trace');
});

test.after(() => rmSync(scratch, { recursive: true, force: true }));

test.run();
