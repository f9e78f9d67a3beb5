// The -c command: started before the programs load (its pid is `cpid`, baked into the object),
// but held stopped until every probe is attached, so tracing sees it from its first instruction.

import type { ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';

export interface TracedChild {
  pid: number;
  /** Lets the command run. */
  resume(): void;
  /** Resolves with the exit code once the command has exited. */
  exited: Promise<number>;
  kill(): void;
}

function state(pid: number): string | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
  } catch {
    return null;
  }
}

export async function startStopped(command: string): Promise<TracedChild> {
  // The shell stops itself, then execs the command in place: same pid, nothing between.
  // Words split on blanks, as bpftrace does; no shell interprets the command itself.
  const words = command.trim().split(/\s+/);
  // Required here: node:child_process costs ~1.5 ms of every start, and only -c uses it.
  const { spawn } = require('node:child_process') as typeof import('node:child_process');
  const child: ChildProcess = spawn('/bin/sh', ['-c', 'kill -STOP $$; exec "$@"', 'sh', ...words], {
    stdio: 'inherit',
  });
  const exited = new Promise<number>((resolve) => {
    child.on('exit', (code, signal) => resolve(code ?? (signal ? 128 : 0)));
    child.on('error', () => resolve(127));
  });
  const pid = child.pid;
  if (pid === undefined) throw new Error(`failed to start: ${command}`);
  for (let i = 0; i < 2000 && state(pid) !== 'T'; i++) await new Promise((r) => setTimeout(r, 1));
  return {
    pid,
    resume: () => {
      try {
        process.kill(pid, 'SIGCONT');
      } catch {
        // already gone
      }
    },
    exited,
    kill: () => {
      try {
        child.kill('SIGTERM');
      } catch {
        // already gone
      }
    },
  };
}
