// The session's event loop in the kernel: an idle session sleeps (no busy polling, with or without an
// event path), the first event after a long idle still arrives while tracing, interval and exit()
// stay timely, and a probe busy with system() commands still stops on SIGINT/SIGTERM, runs END and
// prints its maps.

import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawn, spawnSync, type ChildProcess } from './child';
import { readdirSync, readFileSync } from 'node:fs';
import { BIN, fixture, leakedPrograms } from './helpers';

test.after.each(() => {
  assert.equal(leakedPrograms(), []);
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Live {
  p: ChildProcess;
  stdout(): string;
  stderr(): string;
  /** Resolves with the exit status once the process is gone. */
  exited: Promise<number | null>;
  /** BPF programs the session held once attached (from its fds), to check none outlives it. */
  programs: Set<number>;
}

/** Programs behind the BPF fds of `pid` (program and link fds name theirs in fdinfo). */
function heldPrograms(pid: number): Set<number> {
  const ids = new Set<number>();
  for (const fd of readdirSync(`/proc/${pid}/fdinfo`)) {
    try {
      const m = /^prog_id:\s+(\d+)$/m.exec(readFileSync(`/proc/${pid}/fdinfo/${fd}`, 'utf8'));
      if (m) ids.add(Number(m[1]));
    } catch {
      // closed meanwhile
    }
  }
  return ids;
}

/**
 * Waits for the session to end and checks that none of its own programs is still loaded. Only its
 * own: other sessions on the machine load programs of the same names at any time.
 */
/** Ids of the loaded BPF programs named probe_N. */
function probeProgramIds(): Set<number> {
  const progs = JSON.parse(spawnSync('bpftool', ['prog', 'list', '-j'], { encoding: 'utf8' }).stdout || '[]') as { id: number; name?: string }[];
  return new Set(progs.filter((p) => /^probe_\d+$/.test(p.name ?? '')).map((p) => p.id));
}

async function ended(live: Live): Promise<number | null> {
  const status = await live.exited;
  let left: number[] = [];
  for (let i = 0; i < 20; i++) {
    const loaded = probeProgramIds();
    left = [...live.programs].filter((id) => loaded.has(id));
    if (!left.length) break;
    await sleep(50);
  }
  assert.equal(left, [], 'programs of the session still loaded after it exited');
  return status;
}

/** Starts bpfscript and resolves once it printed "Attaching" and its probes had a moment to go live. */
async function start(args: string[], killAfterMs = 60_000): Promise<Live> {
  const p = spawn(process.execPath, [BIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  p.stdout!.on('data', (d) => (out += d));
  p.stderr!.on('data', (d) => (err += d));
  const timer = setTimeout(() => p.kill('SIGKILL'), killAfterMs);
  const exited = new Promise<number | null>((resolve) => p.on('close', (status) => {
    clearTimeout(timer);
    resolve(status);
  }));
  const live: Live = { p, stdout: () => out, stderr: () => err, exited, programs: new Set() };
  await until(() => out.includes('Attaching') || p.exitCode !== null, 30_000);
  if (!out.includes('Attaching')) throw new Error(`bpfscript did not start: ${err}`);
  await sleep(300);
  live.programs = heldPrograms(p.pid!);
  assert.ok(live.programs.size > 0, 'the session holds its programs');
  return live;
}

/** Waits for `cond`, giving up after `ms` (a generous bound, not a speed check). */
async function until(cond: () => boolean, ms: number): Promise<boolean> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) return false;
    await sleep(20);
  }
  return true;
}

/** Context switches of every thread of `pid` so far: each is one time the process woke up. */
function contextSwitches(pid: number): number {
  let n = 0;
  for (const t of readdirSync(`/proc/${pid}/task`)) {
    try {
      for (const m of readFileSync(`/proc/${pid}/task/${t}/status`, 'utf8').matchAll(/ctxt_switches:\s+(\d+)/g)) n += Number(m[1]);
    } catch {
      // a thread that ended meanwhile
    }
  }
  return n;
}

async function wakeupsPerSecond(live: Live, ms: number): Promise<number> {
  const a = contextSwitches(live.p.pid!);
  await sleep(ms);
  return ((contextSwitches(live.p.pid!) - a) * 1000) / ms;
}

// A tracepoint nobody hits here: acct(2) turns process accounting on or off.
const NEVER = 'tracepoint:syscalls:sys_enter_acct';

for (const [what, prog] of [
  ['with printf (an event path)', `${NEVER} { printf("x\\n"); }`],
  ['with maps only (no event path)', `${NEVER} { @n = count(); }`],
] as const) {
  test(`an idle session sleeps: far fewer wakeups than a 1 ms drain timer's ~1,000/s, ${what}`, async () => {
    const live = await start(['-e', prog]);
    const rate = await wakeupsPerSecond(live, 2000);
    live.p.kill('SIGINT');
    assert.is(await ended(live), 0);
    assert.ok(rate < 100, `${rate} wakeups/s while idle`);
    assert.is(live.stderr(), '');
  });
}

test('the first event after a long idle is printed while tracing goes on', async () => {
  const flood = fixture('flood');
  const live = await start(['-e', 'tracepoint:syscalls:sys_enter_getppid /comm == "flood"/ { printf("got %d\\n", pid); }']);
  await sleep(3000);
  const pid = spawnSync(flood, ['1'], { timeout: 10_000 }).pid;
  const seen = await until(() => live.stdout().includes(`got ${pid}\n`), 10_000);
  live.p.kill('SIGINT');
  assert.is(await ended(live), 0);
  assert.ok(seen, `the event of pid ${pid} was not printed before SIGINT: ${live.stdout()}`);
});

test('interval output arrives as it happens and exit() ends the session', async () => {
  const live = await start(['-e', 'interval:ms:500 { @n++; printf("tick %d\\n", @n); if (@n == 4) { exit(); } }']);
  const ticked = await until(() => live.stdout().includes('tick 1\n'), 10_000);
  assert.ok(ticked, 'the first tick was printed while running');
  assert.ok(!live.stdout().includes("tick 4"), 'ticks arrive one by one, not all at exit');
  assert.is(await ended(live), 0);
  assert.match(live.stdout(), 'tick 4\n\n\n@n: 4\n');
});

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  test(`system() on every syscall: ${signal} stops it between commands, END runs and the maps print`, async () => {
    const live = await start(['--unsafe', '-e', 'tracepoint:raw_syscalls:sys_enter { @n = count(); system("true"); } END { printf("end\\n"); }'], 30_000);
    await sleep(1000);
    live.p.kill(signal);
    // Before commands were run asynchronously, the drain ran each queued command in turn and the
    // signal waited for all of them (minutes); the 30 s kill timer turns that into status null.
    const status = await ended(live);
    assert.is(status, 0, `exit status (null: still running after 30 s): ${live.stderr()}`);
    assert.match(live.stdout(), /\nend\n\n\n@n: \d+\n$/);
    assert.is(live.stderr(), '');
  });
}

test('system() commands left when the -c command ends still run, and SIGINT among them stops the session cleanly', async () => {
  const live = await start(['--unsafe', '-c', '/bin/sleep 1', '-e', 'tracepoint:raw_syscalls:sys_enter { @n = count(); system("true"); } END { printf("end\\n"); }'], 30_000);
  // The command ended after 1 s; the session now runs the commands of the events still queued.
  await sleep(2500);
  live.p.kill('SIGINT');
  assert.is(await ended(live), 0, live.stderr());
  assert.match(live.stdout(), /\nend\n\n\n@n: \d+\n$/);
});

test('system() output keeps its place between printf lines of a busy probe', async () => {
  const flood = fixture('flood');
  const live = await start(['--unsafe', '-e', 'tracepoint:syscalls:sys_enter_getppid /comm == "flood"/ { printf("a %d\\n", pid); system("echo b %d", pid); printf("c %d\\n", pid); }']);
  const pid = spawnSync(flood, ['20'], { timeout: 10_000 }).pid;
  // Another copy of this suite may run flood too: only this one's lines count.
  const lines = () => live.stdout().split('\n').filter((l) => / (\d+)$/.exec(l)?.[1] === String(pid));
  await until(() => lines().length >= 60, 20_000);
  live.p.kill('SIGINT');
  assert.is(await ended(live), 0);
  assert.equal(lines(), Array.from({ length: 20 }, () => [`a ${pid}`, `b ${pid}`, `c ${pid}`]).flat());
});

test.run();
