// A fresh machine: what bpfscript and `npm test` say when the system libraries and tools they need
// are missing (one line naming the exact apt-get command, a non-zero exit, no stack trace).

import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { realpathSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from './child';
import { BIN, ROOT, bpfscript, isRoot } from './helpers';

const PROG = 'BEGIN { printf("hi\\n"); exit(); }';

test('no libLLVM: bpfscript stops with one line naming the package', () => {
  // BPFSCRIPT_LLVM pins the version looked for; none has 99.
  const r = bpfscript(['-e', PROG], { env: { BPFSCRIPT_LLVM: '99', BPFSCRIPT_CACHE: '0' } });
  assert.is(r.status, 1);
  assert.is(r.stdout, '');
  assert.match(r.stderr, /^ERROR: cannot load libLLVM \(no libLLVM-N\.so\.1 for N = 99 in [^)]*\): install it with `apt-get install -y libllvm14`\n$/);
});

test('an unloadable libbpf.so.1: bpfscript stops with one line naming the package', () => {
  if (!isRoot) return;
  // A private mount namespace where libbpf.so.1 is an empty file, as a broken install would be.
  const lib = realpathSync(/=> (\S+)/.exec(spawnSync('sh', ['-c', 'ldconfig -p | grep "libbpf.so.1 "'], { encoding: 'utf8' }).stdout)![1]);
  const r = spawnSync('unshare', ['-m', 'sh', '-c', `mount --bind /dev/null ${lib} && exec "$0" "$@"`, process.execPath, BIN, '-e', PROG], {
    encoding: 'utf8',
    env: { ...process.env, BPFSCRIPT_CACHE: '0' },
    timeout: 60_000,
  });
  assert.is(r.status, 1, r.stderr);
  assert.is(r.stdout, '');
  assert.match(r.stderr, /^ERROR: cannot load libbpf\.so\.1 \([^\n]*\): install it with `apt-get install -y libbpf1`\n$/);
});

test('npm test checks its prerequisites first and names the exact apt-get line', () => {
  const r = spawnSync(process.execPath, [join(ROOT, 'dist', 'test', 'run.js')], {
    encoding: 'utf8',
    env: { ...process.env, PATH: '/nonexistent', BPFSCRIPT_LLVM: '99' },
    timeout: 60_000,
  });
  assert.is(r.status, 1);
  assert.is(r.stderr, '');
  const want = 'npm test cannot run here: missing libLLVM-N.so.1, bpftool, bpftrace (the oracle), cc, python3, prometheus and promtool (metrics.test.ts); install them with `apt-get install -y libllvm14 bpftool bpftrace gcc python3 prometheus`';
  assert.is(r.stdout, `${want}${isRoot ? '' : '; run it as root (sudo npm test)'}\n`);
});

test('npm install (prepare) names the libraries bpfscript lacks, and says nothing when none is', () => {
  const script = join(ROOT, 'dist', 'test', 'prerequisites.js');
  const lacking = spawnSync(process.execPath, [script], { encoding: 'utf8', env: { ...process.env, BPFSCRIPT_LLVM: '99' } });
  assert.is(lacking.status, 0, 'the install itself has succeeded');
  assert.is(lacking.stderr, 'WARNING: bpfscript cannot run yet: missing libLLVM-N.so.1; install them with `apt-get install -y libllvm14`\n');
  const fine = spawnSync(process.execPath, [script], { encoding: 'utf8' });
  assert.is(fine.status, 0);
  assert.is(fine.stderr + fine.stdout, '');
});

test.run();
