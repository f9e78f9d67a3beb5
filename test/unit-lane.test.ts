// The unit lane passes as an unprivileged user, in under a minute: `npm run test:unit` run as
// nobody (setpriv drops root and every group), so no suite in test/unit quietly needs root,
// tracefs or the kernel's BTF. Needs root itself, to become nobody.

import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { accessSync, constants, cpSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from './child';
import { ROOT, isRoot } from './helpers';

const NOBODY = ['--reuid=nobody', '--regid=nogroup', '--clear-groups'];

/** Whether nobody can read `path` (and search every directory above it). */
function nobodyReads(path: string): boolean {
  return spawnSync('setpriv', [...NOBODY, 'test', '-r', path], { timeout: 10_000 }).status === 0;
}

/**
 * Where nobody can run the lane from: the checkout itself when nobody can read it, else a copy of
 * what the unit suites read (dist/, bin/, test/, examples/) in a fresh directory, with node_modules
 * linked (or copied when that is unreadable too). Returns the root and a cleanup.
 */
function readableRoot(): { root: string; cleanup: () => void } {
  const probe = join(ROOT, 'dist', 'test', 'unit', 'run.js');
  if (nobodyReads(probe) && nobodyReads(join(ROOT, 'test', 'unit', 'fixtures', 'host', 'proc', 'kallsyms'))) return { root: ROOT, cleanup: () => {} };
  const dir = mkdtempSync(join(tmpdir(), 'bpfscript-unit-'));
  cpSync(join(ROOT, 'dist'), join(dir, 'dist'), { recursive: true });
  for (const d of ['bin', 'test', 'examples']) cpSync(join(ROOT, d), join(dir, d), { recursive: true });
  if (nobodyReads(join(ROOT, 'node_modules', 'uvu', 'bin.js'))) symlinkSync(join(ROOT, 'node_modules'), join(dir, 'node_modules'));
  else cpSync(join(ROOT, 'node_modules'), join(dir, 'node_modules'), { recursive: true, dereference: true });
  spawnSync('chmod', ['-R', 'a+rX', dir], { timeout: 60_000 });
  return { root: dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

test('npm run test:unit passes as nobody in under a minute', () => {
  if (!isRoot) return; // only root can become nobody
  try {
    accessSync('/usr/bin/setpriv', constants.X_OK);
  } catch {
    assert.unreachable('setpriv (util-linux) is needed to run the unit lane as nobody');
  }
  const { root, cleanup } = readableRoot();
  const home = mkdtempSync(join(tmpdir(), 'bpfscript-unit-home-'));
  spawnSync('chmod', ['777', home], { timeout: 10_000 });
  try {
    const t0 = Date.now();
    const r = spawnSync('setpriv', [...NOBODY, process.execPath, join(root, 'dist', 'test', 'unit', 'run.js')], {
      cwd: root,
      encoding: 'utf8',
      env: { ...process.env, HOME: home, FORCE_COLOR: '0' },
      timeout: 120_000,
    });
    const secs = (Date.now() - t0) / 1000;
    const out = `${r.stdout}${r.stderr}`;
    const last = out.trimEnd().split('\n').pop() ?? '';
    assert.match(last, /^\d+ passed, 0 failed$/, out.slice(-3000));
    assert.ok(Number(last.split(' ')[0]) > 150, `the unit suites ran: ${last}`);
    assert.is(r.status, 0, out.slice(-3000));
    assert.ok(secs < 60, `took ${secs.toFixed(1)} s`);
  } finally {
    rmSync(home, { recursive: true, force: true });
    cleanup();
  }
});

test.run();
