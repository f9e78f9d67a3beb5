// The process around a session: a reader that goes away, events that cannot be handled, output that
// cannot be written, the -c command's lifetime, stdio shared with other processes. Each ends the run
// cleanly, as bpftrace does where it is the reference: one line on stderr, nothing left loaded.

import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { BIN, bpfscript, leftoverPrograms, probeProgramIds } from './helpers';

let before = new Set<number>();
test.before.each(() => {
  before = probeProgramIds();
});
test.after.each(() => {
  assert.equal(leftoverPrograms(before), [], 'nothing left loaded');
});

interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs `cmd args`, reads stdout until its first line, then closes the read end of the pipe as
 * `| head -1` does, and waits (at most 30 s) for the process to end.
 */
function readFirstLineThenClose(cmd: string, args: string[]): Promise<Exit> {
  return new Promise((resolve) => {
    const p = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    const timer = setTimeout(() => p.kill('SIGKILL'), 30_000);
    let stdout = '';
    let stderr = '';
    p.stdout.on('data', (d) => {
      stdout += d;
      if (stdout.includes('\n')) p.stdout.destroy();
    });
    p.stderr.on('data', (d) => (stderr += d));
    p.on('exit', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
  });
}

function alive(pid: number): boolean {
  return existsSync(`/proc/${pid}`) && !/^\d+ \(.*\) Z/.test(require('node:fs').readFileSync(`/proc/${pid}/stat`, 'utf8'));
}

test('| head -1: the session ends at the next write, as bpftrace does (SIGPIPE)', async () => {
  const prog = 'interval:ms:20 { printf("tick\\n"); } END { printf("end\\n"); }';
  const ours = await readFirstLineThenClose(process.execPath, [BIN, '-e', prog]);
  const theirs = await readFirstLineThenClose('bpftrace', ['-e', prog]);
  assert.is(theirs.signal, 'SIGPIPE', 'bpftrace dies of SIGPIPE');
  assert.is(ours.signal, theirs.signal, 'same end as bpftrace, not a hang until the timeout');
  assert.is(ours.stdout.split('\n')[0], 'Attaching 2 probes...');
  assert.is(ours.stderr, '');
});

test('| head -1 with -c: the command is ended too', async () => {
  const prog = 'BEGIN { printf("cpid %d\\n", cpid); } interval:ms:20 { printf("tick\\n"); }';
  const r = await readFirstLineThenClose(process.execPath, [BIN, '-q', '-c', '/usr/bin/sleep 60', '-e', prog]);
  assert.is(r.signal, 'SIGPIPE');
  const cpid = Number(/^cpid (\d+)/.exec(r.stdout)?.[1]);
  assert.ok(cpid > 0, r.stdout);
  assert.not.ok(alive(cpid), 'the -c command is gone');
});

test('an event that cannot be formatted: one ERROR line, END and maps, the -c command ended, exit 1', () => {
  const prog = 'BEGIN { printf("cpid %d\\n", cpid); } interval:ms:50 { @a = 1; printf("%999999999d\\n", 1); } END { printf("end\\n"); }';
  const r = bpfscript(['-c', '/usr/bin/sleep 60', '-e', prog], { timeoutMs: 30_000 });
  assert.is(r.status, 1);
  assert.is(r.stderr, 'ERROR: failed to handle a printf event: Invalid string length\n');
  assert.match(r.stdout, /^Attaching 3 probes\.\.\.\ncpid \d+\nend\n\n\n@a: 1\n$/);
  const cpid = Number(/cpid (\d+)/.exec(r.stdout)?.[1]);
  assert.not.ok(alive(cpid), 'the -c command is gone');
});

test('-o on a full disk: one ERROR line, exit 1', () => {
  const r = bpfscript(['-o', '/dev/full', '-e', 'interval:ms:50 { @a = 1; printf("hello\\n"); } END { printf("end\\n"); }'], { timeoutMs: 30_000 });
  assert.is(r.status, 1);
  assert.is(r.stderr, 'ERROR: failed to write the output to /dev/full: No space left on device\n');
});

test.run();
