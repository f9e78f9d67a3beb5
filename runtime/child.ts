// The -c command: started before the programs load (its pid is `cpid`, baked into the object),
// but held stopped until every probe is attached, so tracing sees it from its first instruction.

import type { ChildProcess } from 'node:child_process';
import { accessSync, constants, existsSync, statSync } from 'node:fs';
import { BpfscriptError } from '../common/diagnostics';
import { processState } from '../common/kernel/proc-stat';

/** util-linux's setpriv sets a parent-death signal, then execs: no native code of ours needed. */
const SETPRIV = ['/usr/bin/setpriv', '/bin/setpriv'].find((p) => existsSync(p));

export interface TracedChild {
  pid: number;
  /** Lets the command run. */
  resume(): void;
  /** Resolves with the exit code once the command has exited. */
  exited: Promise<number>;
  kill(): void;
}

const state = processState;

function isExecutableFile(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

/** The command's program as execvp would find it, or null when it cannot be run. */
function findExecutable(name: string): string | null {
  if (name.includes('/')) return isExecutableFile(name) ? name : null;
  for (const dir of (process.env.PATH ?? '/usr/bin:/bin').split(':')) {
    if (dir && isExecutableFile(`${dir}/${name}`)) return `${dir}/${name}`;
  }
  return null;
}

export async function startStopped(command: string): Promise<TracedChild> {
  // Words split on blanks, as bpftrace does; no shell interprets the command itself.
  const words = command.trim().split(/\s+/);
  // Refused here, before anything is loaded: the shell below would report it only once the
  // probes are attached, and end with its own status.
  if (!findExecutable(words[0] ?? '')) {
    throw new BpfscriptError({ severity: 'ERROR', message: `Failed to fork child: path '${words[0] ?? ''}' does not exist or is not executable` });
  }
  // The shell stops itself, then execs the command in place: same pid, nothing between. A
  // parent-death SIGKILL (kept across both execs) ends it if bpfscript dies without cleaning up
  // (SIGKILL, SIGHUP), stopped or not, as bpftrace's child is ended.
  const shell = ['/bin/sh', '-c', 'kill -STOP $$; exec "$@"', 'sh', ...words];
  const argv = SETPRIV ? [SETPRIV, '--pdeathsig', 'KILL', ...shell] : shell;
  // Required here: node:child_process costs ~1.5 ms of every start, and only -c uses it.
  const { spawn } = require('node:child_process') as typeof import('node:child_process');
  const child: ChildProcess = spawn(argv[0]!, argv.slice(1), {
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
