// The two tools under test, run the same way: bpfscript (this tree's build) and bpftrace 0.17.

import { execFileSync } from 'node:child_process';
import { join } from 'node:path';

export const ROOT = join(__dirname, '..', '..', '..');

export interface Tool {
  name: string;
  argv: string[];
  env: NodeJS.ProcessEnv;
}

export function bpfscript(env: NodeJS.ProcessEnv = {}): Tool {
  return { name: 'bpfscript', argv: [process.execPath, join(ROOT, 'bin', 'bpfscript')], env: { ...process.env, ...env } };
}

export function bpftrace(env: NodeJS.ProcessEnv = {}): Tool {
  return { name: 'bpftrace', argv: ['bpftrace'], env: { ...process.env, ...env } };
}

export function bpftraceVersion(): string {
  try {
    return execFileSync('bpftrace', ['--version'], { encoding: 'utf8' }).trim();
  } catch {
    return 'not installed';
  }
}
