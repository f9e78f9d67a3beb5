// Output functions and sinks in the kernel: print/clear/zero/delete/time against bpftrace 0.17,
// -f json, -o FILE, lost events with an exact count, interval printing, and unbuffered pipes.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { execFileSync, spawn, spawnSync } from './child';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BIN, bpfscript, leakedPrograms, renamedFixture } from './helpers';

function bpftrace(args: string[]): string {
  return spawnSync('bpftrace', args, { encoding: 'latin1' }).stdout;
}

function sameAsBpftrace(args: string[]): string {
  const ours = bpfscript(args);
  assert.is(ours.stderr, '');
  assert.is(ours.status, 0);
  assert.is(ours.stdout, bpftrace(args));
  return ours.stdout;
}


test.after.each(() => {
  assert.equal(leakedPrograms(), []);
});

const MAP_FUNCTIONS =
  'BEGIN { @a[1]=count(); @a[2]=count(); @a[2]=count(); @a[3]=count(); @a[3]=count(); @a[3]=count(); @h=hist(3); @c=5; ' +
  'print(@a); print(@a, 1); print(@a, 2, 2); print(@h); print(123); print("str"); print(@c); print((1,"x")); print(-5); ' +
  'clear(@a); print(@a); @h=hist(9); zero(@h); print(@h); @c=7; zero(@c); print(@c); exit(); }';

test('print, clear and zero are handled when their events are, as in bpftrace', () => {
  const out = sameAsBpftrace(['-e', MAP_FUNCTIONS]);
  assert.ok(out.includes('@a[2]: 1\n@a[3]: 1\n'));
});

test('print, clear and zero in JSON', () => {
  const out = sameAsBpftrace(['-f', 'json', '-e', MAP_FUNCTIONS]);
  assert.ok(out.includes('{"type": "value", "data": [1,"x"]}\n'));
});

const EMPTIED =
  'BEGIN { @a[1]=count(); delete(@a[1]); @b[1]=5; delete(@b[1]); @c=hist(1); clear(@c); @d = avg(3); clear(@d); @e=count(); clear(@e); ' +
  '@f=3; delete(@f); print(@a); print(@c); print(@d); print(@f); @g=count(); delete(@g); @mi=min(5); zero(@mi); @ma[1]=max(5); zero(@ma); ' +
  '@av[1]=avg(4); zero(@av); print(@av); exit(); }';

test('deleted, cleared and zeroed maps of every kind, text and JSON', () => {
  sameAsBpftrace(['-e', EMPTIED]);
  sameAsBpftrace(['-f', 'json', '-e', EMPTIED]);
});

test('every map kind in JSON at exit', () => {
  const prog =
    'BEGIN { @h[1]=hist(-5); @h[1]=hist(0); @h[1]=hist(1); @h[2]=hist(1000000); @l[3]=lhist(-3,0,10,2); @l[3]=lhist(30,0,10,2); @l[4]=lhist(5,0,10,2); ' +
    '@mi=min(-3); @ma[1]=max(7); @st["q\\"\\\\\\n\\t"]=count(); @v[1]=avg(10); @v[2]=avg(2); @t[1]=stats(3); @z=sum(-2); @tu[1,"a"]=(1,"b"); @s=stats(4); exit(); }';
  sameAsBpftrace(['-f', 'json', '-e', prog]);
});

test('time() prints the local time in the default and a custom format', () => {
  const before = new Date();
  const r = bpfscript(['-e', 'BEGIN { time(); time("%Y|%j\\n"); exit(); }']);
  const after = new Date();
  assert.is(r.status, 0);
  const [, hms, custom] = r.stdout.split('\n');
  assert.match(hms, /^\d\d:\d\d:\d\d$/);
  const secs = (d: Date) => d.getHours() * 3600 + d.getMinutes() * 60 + d.getSeconds();
  const [h, m, s] = hms.split(':').map(Number);
  const t = h * 3600 + m * 60 + s;
  assert.ok(t >= secs(before) && t <= secs(after) + (secs(after) < secs(before) ? 86400 : 0), `${hms} not between ${before} and ${after}`);
  assert.match(custom, new RegExp(`^${after.getFullYear()}\\|\\d{3}$`));
  const json = bpfscript(['-f', 'json', '-e', 'BEGIN { time("%%\\n"); exit(); }']);
  assert.is(json.stdout, '{"type": "attached_probes", "data": {"probes": 1}}\n{"type": "time", "data": "%\\n"}\n\n\n');
});

test('-o FILE writes what stdout would show, but for the two newlines before the maps (stdout), as bpftrace', () => {
  const dir = mkdtempSync(join(tmpdir(), 'bpfscript-out-'));
  try {
    const file = join(dir, 'out.txt');
    const theirs = join(dir, 'theirs.txt');
    const prog = 'BEGIN { printf("hi\\n"); @x[1] = count(); exit(); }';
    const r = bpfscript(['-o', file, '-e', prog]);
    assert.is(r.status, 0, r.stderr);
    assert.is(r.stdout, bpftrace(['-o', theirs, '-e', prog]));
    assert.is(r.stdout, '\n\n');
    assert.is(readFileSync(file, 'latin1'), readFileSync(theirs, 'latin1'));
    const j = bpfscript(['-f', 'json', '-o', file, '-e', prog]);
    assert.is(j.status, 0, j.stderr);
    assert.is(j.stdout, bpftrace(['-f', 'json', '-o', theirs, '-e', prog]));
    assert.is(readFileSync(file, 'latin1'), readFileSync(theirs, 'latin1'));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('-o into a missing directory is an error, nothing loaded', () => {
  const r = bpfscript(['-o', '/nonexistent-dir/out.txt', '-e', 'BEGIN { exit(); }']);
  assert.is(r.status, 1);
  assert.match(r.stderr, /ERROR: cannot write the output file \/nonexistent-dir\/out.txt/);
  assert.match(r.stderr, /HINT: /);
  assert.not.match(r.stderr, /at .*\.js/);
});

test('bad uses of the map functions are errors with spans', () => {
  const cases: [string, RegExp][] = [
    ['BEGIN { print(@nope); }', /stdin:1:15-20: ERROR: Undefined map: @nope/],
    ['BEGIN { @x[1] = 1; print(@x[1], 2); }', /stdin:1:33-34: ERROR: print\(\) of a value takes no other arguments/],
    ['BEGIN { @x[1] = 1; clear(@x[1]); }', /stdin:1:26-31: ERROR: clear\(\) acts on a whole map/],
    ['BEGIN { zero(1); }', /ERROR: zero\(\) expects a map/],
    ['BEGIN { @x[1] = 1; delete(@x); }', /ERROR: call to delete\(\) with a single argument expects a map without explicit keys \(scalar map\)/],
    ['BEGIN { time(1); }', /ERROR: time\(\) expects a string literal format/],
  ];
  for (const [prog, want] of cases) {
    const r = bpfscript(['-e', prog]);
    assert.is(r.status, 1, prog);
    assert.match(r.stderr, want);
    assert.not.match(r.stderr, /internal error/);
  }
  const f = bpfscript(['-f', 'yaml', '-e', 'BEGIN { exit(); }']);
  assert.is(f.status, 1);
  assert.match(f.stderr, /ERROR: /);
  assert.match(f.stderr, /yaml/);
});

test('interval printing: print and clear every tick, as bpftrace does', () => {
  const prog = 'interval:ms:150 { @c = count(); print(@c); clear(@c); time("%%\\n"); @n += 1; if (@n == 3) { exit(); } }';
  const out = sameAsBpftrace(['-e', prog]);
  assert.is(out, 'Attaching 1 probe...\n@c: 1\n%\n@c: 1\n%\n@c: 1\n%\n\n\n@c: 0\n@n: 3\n');
  sameAsBpftrace(['-f', 'json', '-e', prog]);
});

/** Runs bpfscript with its reader stopped while `during` runs, so the ring buffer overflows. */
function withStoppedReader(args: string[], during: () => void): Promise<string> {
  return new Promise((resolve) => {
    const p = spawn(process.execPath, [BIN, ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    let started = false;
    p.stdout.setEncoding('latin1').on('data', (d) => {
      out += d;
      // BEGIN runs once every probe is attached.
      if (started || !out.includes('ready')) return;
      started = true;
      p.kill('SIGSTOP');
      during();
      p.kill('SIGCONT');
      p.kill('SIGINT');
    });
    p.on('close', () => resolve(out));
  });
}

test('lost events: printed in the stream with an exact count, text and JSON', async () => {
  const { path: w, comm } = renamedFixture('flood');
  const N = 200000;
  // Records of ~90 bytes: 200000 of them are 4x the 4 MiB ring.
  const prog = `BEGIN { printf("ready\\n"); } tracepoint:syscalls:sys_enter_getppid /comm == "${comm}"/ { printf("%d %s\\n", 1, "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"); }`;
  const text = await withStoppedReader(['-e', prog], () => spawnSync(w, [String(N)]));
  const printed = text.split('\n').filter((l) => l.startsWith('1 a')).length;
  const lost = [...text.matchAll(/^Lost (\d+) events$/gm)].reduce((t, m) => t + Number(m[1]), 0);
  assert.ok(lost > 0, `the ring buffer should have overflowed: ${printed} printed; ${text.slice(0, 300)}`);
  assert.is(printed + lost, N);

  const json = await withStoppedReader(['-f', 'json', '-e', prog], () => spawnSync(w, [String(N)]));
  const jprinted = json.split('\n').filter((l) => l.startsWith('{"type": "printf", "data": "1 a')).length;
  const jlost = [...json.matchAll(/^\{"type": "lost_events", "data": \{"events": (\d+)\}\}$/gm)].reduce((t, m) => t + Number(m[1]), 0);
  assert.ok(jlost > 0);
  assert.is(jprinted + jlost, N);
});

test('a pipe sees each line as soon as it is printed', async () => {
  const p = spawn(process.execPath, [BIN, '-e', 'BEGIN { printf("first\\n"); } interval:s:100 { exit(); }'], { stdio: ['ignore', 'pipe', 'inherit'] });
  const seen = await new Promise<string>((resolve) => {
    let out = '';
    p.stdout.setEncoding('latin1').on('data', (d) => {
      out += d;
      // Still running (its only exit is 100 s away): the line was flushed, not held until exit.
      if (out.includes('first\n') && p.exitCode === null) resolve(out);
    });
  });
  p.kill('SIGINT');
  await new Promise((r) => p.on('close', r));
  assert.is(seen, 'Attaching 2 probes...\nfirst\n');
});

test.run();
