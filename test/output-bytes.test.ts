// Strings are bytes: non-ASCII text in format strings and string literals, bytes that are not
// UTF-8 in a script file or an argument, and kernel strings are printed exactly as written, in
// text and JSON, byte for byte as bpftrace 0.17 prints them. Outputs are compared as latin1 so that
// no byte is lost to decoding.

import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawn, spawnSync } from './child';
import { mkdtempSync, openSync, closeSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BIN } from './helpers';

/** The last argument given to each run: "ñ" and a 0xff byte, which is not UTF-8. */
const ARG = 'ñ\xff';

/**
 * Runs `cmd args... ARG`. Node would pass any argument as UTF-8 text, so the shell's printf
 * appends ARG's raw bytes.
 */
function run(cmd: string, args: string[]): { stdout: string; stderr: string; status: number | null } {
  const r = spawnSync('sh', ['-c', 'exec "$@" "$(printf \'\\303\\261\\377\')"', 'sh', cmd, ...args], { encoding: 'latin1', timeout: 60_000 });
  return { stdout: r.stdout, stderr: r.stderr, status: r.status };
}

function ours(args: string[]) {
  return run(process.execPath, [BIN, ...args]);
}

function theirs(args: string[]) {
  return run('bpftrace', args);
}

const PROG = [
  'BEGIN {',
  '  printf("café → %s|%5s|%-4s|\\n", "ü", "é", "😀");',
  '  @a = "ü"; @b["→"] = 1; print("ü");',
  '  if ("é" == "é") { printf("eq\\n"); }',
  '  printf("[%s]\\n", str($1));',
  '  exit();',
  '}',
].join('\n');

for (const format of ['text', 'json']) {
  test(`non-ASCII literals and a non-UTF-8 argument, -f ${format}: the bytes bpftrace prints`, () => {
    const a = ours(['-f', format, '-e', PROG]);
    const b = theirs(['-f', format, '-e', PROG]);
    assert.is(a.status, 0, a.stderr);
    assert.is(a.stdout, b.stdout);
    if (format === 'text') assert.ok(a.stdout.includes(Buffer.from('café → ü|   é|😀|\n').toString('latin1')), a.stdout);
  });
}

test('a script file in Latin-1 (bytes that are not UTF-8): printed as written', () => {
  const dir = mkdtempSync(join(tmpdir(), 'bpfscript-bytes-'));
  try {
    const file = join(dir, 'latin1.bt');
    writeFileSync(file, Buffer.from('BEGIN { printf("caf\xe9 \xff|%s|%3s|\\n", "\xe9t\xe9", "\xe9"); @[str($1)] = 1; exit(); }\n', 'latin1'));
    const a = ours([file]);
    const b = theirs([file]);
    assert.is(a.status, 0, a.stderr);
    assert.is(a.stdout, b.stdout);
    assert.ok(a.stdout.includes('caf\xe9 \xff|\xe9t\xe9|  \xe9|\n'), a.stdout);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

/** Runs a tracer until "Attaching", runs `action`, then SIGINTs it; stdout as latin1. */
function traceWhile(cmd: string, args: string[], action: () => void): Promise<string> {
  return new Promise((resolve) => {
    const p = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'ignore'] });
    const timer = setTimeout(() => p.kill('SIGKILL'), 30_000);
    let out = '';
    let acted = false;
    p.stdout.setEncoding('latin1');
    p.stdout.on('data', (d: string) => {
      out += d;
      if (!acted && out.includes('Attaching')) {
        acted = true;
        setTimeout(() => {
          action();
          setTimeout(() => p.kill('SIGINT'), 500);
        }, 500);
      }
    });
    p.on('close', () => {
      clearTimeout(timer);
      resolve(out);
    });
  });
}

test('kernel strings that are not UTF-8 are printed as their bytes, beside non-ASCII format text', async () => {
  const name = Buffer.from('/tmp/bpfscript-zzq\xff\xc3\xa9\xe2x', 'latin1');
  const open = () => {
    try {
      closeSync(openSync(name, 'r'));
    } catch {
      // ENOENT: the syscall was made, which is all the probe needs
    }
  };
  const prog = `tracepoint:syscalls:sys_enter_openat /pid == ${process.pid}/ { printf("→ %s\\n", str(args->filename)); @[str(args->filename)] = count(); }`;
  const a = await traceWhile(process.execPath, [BIN, '-e', prog], open);
  const b = await traceWhile('bpftrace', ['-e', prog], open);
  const line = `${Buffer.from('→ ').toString('latin1')}${name.toString('latin1')}\n`;
  assert.ok(a.includes(line), a);
  assert.ok(a.includes(`@[${name.toString('latin1')}]: 1\n`), a);
  assert.is(a, b);
});

test.run();
