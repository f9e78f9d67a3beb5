// node:child_process for the tests and the bench, with a timeout on every process they start: a
// hung oracle (bpftrace) or workload once held a CI run for ten minutes. Same signatures as
// node:child_process; a call that gives its own `timeout` keeps it. The test-hygiene suite checks
// that nothing under test/ or bench/ imports node:child_process except this file.

import * as cp from 'node:child_process';
import { randomBytes } from 'node:crypto';

/**
 * Every process started here, and so everything it starts in turn, carries RUN_ENV=RUN_ID in its
 * environment: the leak check (test/helpers.ts) tells this run's processes from another run's by
 * it, so two copies of the suite on one machine don't fail each other.
 */
export const RUN_ENV = 'BPFSCRIPT_TEST_RUN';
export const RUN_ID = `${process.pid}-${randomBytes(6).toString('hex')}`;

/** Long enough for bpftrace to compile a tool on a loaded two-core machine. */
export const DEFAULT_TIMEOUT_MS = 120_000;
/** A process that outlives SIGTERM by this much after its timeout gets SIGKILL. */
const KILL_GRACE_MS = 5_000;

// The functions accept (cmd, args?, options?) and (cmd, options?), as node:child_process does.
function split(args: unknown, opts: unknown): [readonly string[], Record<string, unknown>] {
  if (!Array.isArray(args)) return [[], withTimeout(args)];
  return [args as string[], withTimeout(opts)];
}

function withTimeout(opts: unknown): Record<string, unknown> {
  const o = { ...((opts as Record<string, unknown> | undefined) ?? {}) };
  if (!o.timeout) o.timeout = DEFAULT_TIMEOUT_MS;
  o.env = { ...((o.env as NodeJS.ProcessEnv | undefined) ?? process.env), [RUN_ENV]: RUN_ID };
  return o;
}

export const spawnSync = ((cmd: string, args?: unknown, opts?: unknown) => {
  const [a, o] = split(args, opts);
  return cp.spawnSync(cmd, a, o);
}) as typeof cp.spawnSync;

export const execFileSync = ((cmd: string, args?: unknown, opts?: unknown) => {
  const [a, o] = split(args, opts);
  return cp.execFileSync(cmd, a, o);
}) as typeof cp.execFileSync;

/**
 * Node sends the kill signal (SIGTERM unless given) once at the timeout, so tracers can clean up
 * and end their -c command; one that is still there a little later is killed outright.
 */
export const spawn = ((cmd: string, args?: unknown, opts?: unknown) => {
  const [a, o] = split(args, opts);
  const child = cp.spawn(cmd, a, o);
  const timeout = Number(o.timeout);
  const guard = setTimeout(() => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  }, timeout + KILL_GRACE_MS);
  // The guard must not keep a finished test run alive.
  guard.unref();
  child.once('exit', () => clearTimeout(guard));
  return child;
}) as typeof cp.spawn;

export type { ChildProcess, SpawnSyncReturns } from 'node:child_process';
