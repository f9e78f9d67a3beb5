// The two tools under test, run the same way: bpfscript (this tree's build) and bpftrace 0.17.

import { execFileSync } from '../../test/child';
import { cpSync, mkdirSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { SCRATCH } from './run';

export const ROOT = join(__dirname, '..', '..', '..');

export interface Tool {
  name: string;
  argv: string[];
  env: NodeJS.ProcessEnv;
}

/**
 * Environment variables removed for both tools. NODE_EXTRA_CA_CERTS names a CA bundle that Node 20
 * reads and parses before any JavaScript runs (~20-40 ms of every start here, more than Node's own
 * bootstrap); it is set machine-wide in this sandbox for package downloads, is no default of any
 * distribution, and bpfscript opens no TLS connection, so keeping it would measure the sandbox.
 */
export const STRIPPED_ENV = ['NODE_EXTRA_CA_CERTS'];

function toolEnv(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const out = { ...process.env, ...env };
  for (const k of STRIPPED_ENV) delete out[k];
  return out;
}

let frozen: string | undefined;

/**
 * A copy of this tree's build taken when the bench starts. Other builds of the checkout during a run
 * (a shared machine) would otherwise change the compiler's files, and with them the compile-cache
 * key, so a "cached" run would silently compile.
 */
function frozenTree(): string {
  if (frozen) return frozen;
  const dir = join(SCRATCH, 'tree');
  mkdirSync(dir);
  for (const part of ['bin', 'dist', 'package.json']) cpSync(join(ROOT, part), join(dir, part), { recursive: true });
  symlinkSync(join(ROOT, 'node_modules'), join(dir, 'node_modules'));
  return (frozen = dir);
}

export function bpfscript(env: NodeJS.ProcessEnv = {}): Tool {
  // The launcher itself, as a user runs it (it is a shell script that re-runs itself under node).
  return { name: 'bpfscript', argv: [join(frozenTree(), 'bin', 'bpfscript')], env: toolEnv(env) };
}

export function bpftrace(env: NodeJS.ProcessEnv = {}): Tool {
  return { name: 'bpftrace', argv: ['bpftrace'], env: toolEnv(env) };
}

export function bpftraceVersion(): string {
  try {
    return execFileSync('bpftrace', ['--version'], { encoding: 'utf8' }).trim();
  } catch {
    return 'not installed';
  }
}
