// Stacks for flame graphs: -f folded prints stack-keyed maps as folded lines, and --flamegraph
// writes an interactive SVG that headless Chromium renders, zooms and searches. The workload is
// test/fixtures/flame.c, whose chain main -> alpha -> beta -> gamma (and alpha -> delta) is known:
// uprobes on it give exact counts, a profile of its spinning mode gives sampled ones.

import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { gunzipSync } from 'node:zlib';
import { bpfscript, buildFixture, leakedPrograms, ROOT, scratchPath } from './helpers';
import { launchChromium } from './chromium';
import { foldMap, foldedText } from '../runtime/flamegraph/folded';
import { layoutFlame } from '../runtime/flamegraph/layout';
import { renderSvg } from '../runtime/flamegraph/svg';
import { FoldedSink } from '../runtime/flamegraph/sink';
import type { MapData, OutputSink } from '../src/functions';
import type { Type } from '../common/types';

test.after.each(() => {
  assert.equal(leakedPrograms(), []);
});

// -O0 with frame pointers, so the kernel unwinds every frame; its comm is "flame".
const flame = buildFixture('flame', 'flame', ['-O0', '-fno-omit-frame-pointer', '-fno-builtin']);
/** Where the screenshots go: git-ignored, kept after the run for a person (or CI) to look at. */
const ARTIFACTS = join(ROOT, 'test-artifacts');

/** Folded lines as [chain, weight]; every line must have the form `frames weight`. */
function parseFolded(text: string): [string, number][] {
  return text
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => {
      const m = /^(\S.*) (\d+)$/.exec(l);
      assert.ok(m, `a folded line: ${JSON.stringify(l)}`);
      return [m![1], Number(m![2])];
    });
}


test('-f folded -o FILE: uprobe counts as folded chains, root first, with comm as the leading frame; --flamegraph writes the SVG', () => {
  const out = scratchPath('flame.folded');
  const prog =
    `uprobe:${flame}:gamma, uprobe:${flame}:delta { @[ustack] = count(); @c[comm, ustack] = count(); @total = count(); } ` + `uprobe:${flame}:done { exit(); }`;
  const svgFile = scratchPath('two-maps.svg');
  const r = bpfscript(['-f', 'folded', '-o', out, '--flamegraph', svgFile, '-e', prog, '-c', `${flame} calls 6`]);
  assert.is(r.status, 0, r.stderr);
  assert.is(r.stdout, '', 'everything went to the file');
  // The lines that would break a folded file go to stderr: the attach line and the skipped map.
  assert.is(r.stderr, 'Attaching 3 probes...\nWARNING: -f folded: @total is not keyed by kstack or ustack with numeric values, so it is not printed\n');
  const lines = parseFolded(readFileSync(out, 'utf8'));
  // Frames before main are libc's start-up code, which may or may not have a symbol.
  const plain = lines.filter(([chain]) => !chain.startsWith('flame;'));
  const comm = lines.filter(([chain]) => chain.startsWith('flame;'));
  const tail = (chain: string) => {
    const frames = chain.split(';');
    return frames.slice(frames.indexOf('main')).join(';');
  };
  assert.equal(plain.map(([c, n]) => [tail(c), n]).sort(), [['main;alpha;beta;gamma', 6], ['main;alpha;delta', 3]]);
  assert.equal(comm.map(([c, n]) => [tail(c), n]).sort(), [['main;alpha;beta;gamma', 6], ['main;alpha;delta', 3]]);
  for (const [c] of comm) assert.is(c.slice(6), plain.find(([p]) => tail(p) === tail(c))![0], 'the comm frame leads the same chain');
  assert.ok(existsSync(svgFile), 'the flame graph was written');
  const svg = readFileSync(svgFile, 'utf8');
  // Self-contained: nothing is fetched from anywhere.
  assert.not.match(svg, /(?:href|src)=["']https?:/);
  assert.match(svg, /<script><!\[CDATA\[/);
  // Two stack-keyed maps: each is a tower under its own name.
  assert.match(svg, '<g class="fr" data-n="@" data-x="0" data-w="9" data-d="1">');
  assert.match(svg, '<g class="fr" data-n="@c" data-x="9" data-w="9" data-d="1">');
});

test('-f folded: a kernel stack follows the user stack (kernel leaf last); sum() weighs by its sum', () => {
  const prog = `tracepoint:syscalls:sys_enter_getppid /pid == cpid/ { @[comm, kstack] = count(); @s[kstack(perf), ustack(perf)] = sum(2); } uprobe:${flame}:done { exit(); }`;
  const r = bpfscript(['-f', 'folded', '-e', prog, '-c', `${flame} calls 6`]);
  assert.is(r.status, 0, r.stderr);
  const lines = parseFolded(r.stdout);
  assert.is(lines.length, 2, r.stdout);
  const [kernelOnly, both] = lines[0][0].startsWith('flame;') ? lines : [lines[1], lines[0]];
  // delta calls getppid three times; sum(2) weighs each call 2.
  assert.is(kernelOnly[1], 3);
  assert.is(both[1], 6);
  const kframes = kernelOnly[0].split(';');
  assert.is(kframes[0], 'flame');
  assert.match(kframes[1], /^entry_SYSCALL_64/, 'the kernel root comes first');
  for (const f of kframes) assert.not.match(f, /\+\d+$|^[0-9a-f]{8,}/, `offsets and addresses are dropped: ${f}`);
  const frames = both[0].split(';');
  const user = frames.indexOf('main');
  const kernel = frames.findIndex((f) => f.startsWith('entry_SYSCALL_64'));
  assert.ok(user >= 0 && kernel > user, both[0]);
  assert.equal(frames.slice(user, user + 2), ['main', 'alpha']);
  assert.match(frames[kernel - 1], /getppid/, 'the user leaf (libc\'s wrapper) sits under the kernel root');
  assert.equal(frames.slice(kernel), kframes.slice(1), 'perf mode folds to the same frames as bpftrace mode');
});

test('-f folded on a profile: samples of the spinning chain add up to the total count', () => {
  const prog = 'profile:hz:997 /pid == cpid/ { @[ustack] = count(); @n = count(); } interval:s:2 { exit(); } END { print(@n); }';
  const r = bpfscript(['-f', 'folded', '--no-warnings', '-e', prog, '-c', `${flame} spin 30`]);
  assert.is(r.status, 0, r.stderr);
  assert.is(r.stderr, 'Attaching 3 probes...\n', 'no warning under --no-warnings');
  // print() of a map that is not stack-keyed prints as text, as asked.
  const total = Number(/^@n: (\d+)$/m.exec(r.stdout)![1]);
  const lines = parseFolded(r.stdout.replace(/^@n: \d+\n/m, ''));
  assert.ok(total > 200, `enough samples: ${total}`);
  assert.is(lines.reduce((s, [, n]) => s + n, 0), total);
  for (const [, n] of lines) assert.ok(n > 0);
  const weight = (end: string) => lines.filter(([c]) => `;${c}`.endsWith(end)).reduce((s, [, n]) => s + n, 0);
  const gamma = weight(';main;alpha;beta;gamma');
  const delta = weight(';main;alpha;delta');
  // gamma spins three times as long as delta; start-up and the loop's own code take the rest.
  assert.ok(gamma + delta > total * 0.9, `${gamma} + ${delta} of ${total}`);
  assert.ok(gamma > delta * 1.5, `${gamma} vs ${delta}`);
});

test('-f pprof -o FILE: one gzipped profile, a sample type per stack-keyed map, leaf-first locations; other output on stderr', () => {
  const out = scratchPath('flame.pb.gz');
  const prog = `uprobe:${flame}:gamma, uprobe:${flame}:delta { @[ustack] = count(); @c[comm, ustack] = sum(10); @t = count(); printf("hit\\n"); } uprobe:${flame}:done { exit(); }`;
  const r = bpfscript(['-f', 'pprof', '-o', out, '-e', prog, '-c', `${flame} calls 6`]);
  assert.is(r.status, 0, r.stderr);
  assert.is(r.stdout, '');
  assert.is(r.stderr, `Attaching 3 probes...\n${'hit\n'.repeat(9)}WARNING: -f pprof: @t is not keyed by kstack or ustack with numeric values, so it is not in the profile\n`);
  const pprof = require('pprof-format') as { Profile: { decode(b: Uint8Array): PprofProfile } };
  const p = pprof.Profile.decode(gunzipSync(readFileSync(out)));
  const str = (i: unknown) => p.stringTable.strings[Number(i)];
  assert.equal(p.sampleType.map((t) => `${str(t.type)}/${str(t.unit)}`), ['@/count', '@c/sum']);
  const fname = new Map(p.function.map((f) => [Number(f.id), str(f.name)]));
  const locs = new Map(p.location.map((l) => [Number(l.id), fname.get(Number(l.line[0].functionId))]));
  const samples = p.sample.map((x) => {
    const frames = x.locationId.map((id) => locs.get(Number(id))!);
    // Leaf first; what lies beyond main is libc's start-up code.
    return `${frames.slice(0, frames.indexOf('main') + 1).join('<')}${frames.at(-1) === 'flame' ? '<…<flame' : ''} ${x.value.join(',')}`;
  });
  assert.equal(samples.sort(), ['delta<alpha<main 3,0', 'delta<alpha<main<…<flame 0,30', 'gamma<beta<alpha<main 6,0', 'gamma<beta<alpha<main<…<flame 0,60']);
});

interface PprofProfile {
  sampleType: { type: unknown; unit: unknown }[];
  sample: { locationId: unknown[]; value: unknown[] }[];
  location: { id: unknown; line: { functionId: unknown }[] }[];
  function: { id: unknown; name: unknown }[];
  stringTable: { strings: string[] };
}

/** Each frame the page shows: its name, label, box and whether it is displayed. */
const FRAMES_JS = `[...document.querySelectorAll('g.fr')].map((g) => { const r = g.querySelector('rect').getBoundingClientRect();
  return { name: g.getAttribute('data-n'), label: g.querySelector('text').textContent, x: r.x, y: r.y, w: r.width, h: r.height,
    shown: getComputedStyle(g).display !== 'none', fill: g.querySelector('rect').getAttribute('fill') }; })`;
interface Shown {
  name: string;
  label: string;
  x: number;
  y: number;
  w: number;
  h: number;
  shown: boolean;
  fill: string;
}

test('the flame graph in headless Chromium: frames rendered as text, click zooms, search highlights, hover details; screenshots kept', async () => {
  const svgFile = scratchPath('flame.svg');
  const run = bpfscript(['--flamegraph', svgFile, '-e', `uprobe:${flame}:gamma, uprobe:${flame}:delta { @[ustack] = count(); } uprobe:${flame}:done { exit(); }`, '-c', `${flame} calls 6`]);
  assert.is(run.status, 0, run.stderr);
  // The text output is as without --flamegraph.
  assert.match(run.stdout, /\n@\[\n {4}gamma\+0\n/);
  mkdirSync(ARTIFACTS, { recursive: true });
  const browser = await launchChromium();
  const watchdog = setTimeout(() => void browser.close(), 60_000);
  try {
    const page = await browser.newPage({ viewport: { width: 1200, height: 300 } });
    page.setDefaultTimeout(10_000);
    const errors: string[] = [];
    page.on('pageerror', (e: Error) => errors.push(e.message));
    await page.goto(pathToFileURL(svgFile).href);
    let frames = await page.evaluate<Shown[]>(FRAMES_JS);
    const byName = (name: string) => frames.find((f) => f.name === name)!;
    for (const name of ['all', 'main', 'alpha', 'beta', 'gamma', 'delta']) {
      assert.ok(byName(name), `frame ${name}`);
      assert.is(byName(name).label, name, `${name} is written in its box`);
    }
    // gamma (6 calls) and delta (3) split alpha's width 2:1; callees sit above their callers.
    const full = byName('all').w;
    assert.ok(Math.abs(byName('gamma').w - (full * 6) / 9) < 1, `gamma ${byName('gamma').w} of ${full}`);
    assert.ok(Math.abs(byName('delta').w - (full * 3) / 9) < 1);
    assert.ok(byName('beta').y < byName('alpha').y && byName('alpha').y < byName('main').y);
    await page.screenshot({ path: join(ARTIFACTS, 'flamegraph.png') });

    // Hovering shows the frame's share under the graph.
    const gamma = byName('gamma');
    await page.mouse.move(gamma.x + 10, gamma.y + gamma.h / 2);
    assert.is(await page.evaluate<string>("document.getElementById('details').textContent"), 'gamma (6 of 9, 66.67%)');

    // A real click on beta's box zooms to it: beta and its callee gamma fill the width, delta (not
    // under beta) is hidden, and the way back appears.
    const beta = byName('beta');
    await page.mouse.click(beta.x + beta.w / 2, beta.y + beta.h / 2);
    frames = await page.evaluate<Shown[]>(FRAMES_JS);
    assert.ok(Math.abs(byName('beta').w - full) < 1, `beta now ${byName('beta').w}`);
    assert.ok(Math.abs(byName('gamma').w - full) < 1);
    assert.is(byName('delta').shown, false, 'delta is outside the zoom');
    assert.is(byName('alpha').shown, true, 'callers stay as the path back');
    assert.is(await page.evaluate<string>("document.documentElement.getAttribute('data-zoom')"), 'beta');
    assert.is.not(await page.evaluate<string>("getComputedStyle(document.getElementById('reset')).display"), 'none', 'the reset button shows');
    await page.screenshot({ path: join(ARTIFACTS, 'flamegraph-zoomed.png') });

    // Search: the prompt's answer highlights the matching frames and says their share.
    page.on('dialog', (d: { accept(text: string): Promise<void> }) => void d.accept('^(gamma|delta)$'));
    await page.evaluate("document.getElementById('reset').dispatchEvent(new MouseEvent('click', { bubbles: true }))");
    frames = await page.evaluate<Shown[]>(FRAMES_JS);
    assert.is(byName('delta').shown, true, 'reset zoom shows everything again');
    assert.is(await page.evaluate<string>("getComputedStyle(document.getElementById('reset')).display"), 'none');
    await page.evaluate("document.getElementById('search').dispatchEvent(new MouseEvent('click', { bubbles: true }))");
    frames = await page.evaluate<Shown[]>(FRAMES_JS);
    assert.is(await page.evaluate<string>("document.getElementById('matched').textContent"), 'Matched: 100.00%');
    assert.is(byName('gamma').fill, byName('delta').fill, 'matches share the highlight colour');
    assert.is.not(byName('beta').fill, byName('gamma').fill);
    await page.screenshot({ path: join(ARTIFACTS, 'flamegraph-search.png') });
    assert.equal(errors, [], 'no script errors');
  } finally {
    clearTimeout(watchdog);
    await browser.close();
  }
});

// The folding and drawing on their own, on maps made here: cases a run cannot make on purpose.
const ustackKey: Type = { kind: 'string', size: 8, format: 'ustack', stack: { mode: 'bpftrace', depth: 127 } };
const perfKey: Type = { kind: 'string', size: 8, format: 'kstack', stack: { mode: 'perf', depth: 127 } };
const comm: Type = { kind: 'string', size: 16 };
const u64: Type = { kind: 'int', bits: 64, signed: false } as Type;

test('folding: offsets dropped, unknown addresses merged, separators in keys replaced, equal chains added, zero weights left out', () => {
  const map: MapData = {
    name: '@',
    keyType: { kind: 'tuple', elems: [comm, ustackKey] } as Type,
    valueType: u64,
    entries: [
      { key: ['a;b', '\n        leaf+4\n        mid+10\n        0x7f0012\n'], value: 2n },
      { key: ['a;b', '\n        leaf+9\n        mid+10\n        0x7f9934\n'], value: 3n },
      { key: ['c', ''], value: 1n },
      { key: ['d', '\n        x+1\n'], value: 0n },
    ],
  };
  assert.is(foldedText(foldMap(map)!), 'a:b;[unknown];mid;leaf 5\nc;[missing stack] 1\n');
  const perf: MapData = { name: '@k', keyType: perfKey, valueType: u64, entries: [{ key: ['\n\tffffffff81000010 do_thing+16\n\tffffffff81000000 entry_SYSCALL_64+0\n'], value: 7n }] };
  assert.is(foldedText(foldMap(perf)!), 'entry_SYSCALL_64;do_thing 7\n');
  assert.is(foldMap({ name: '@x', keyType: comm, valueType: u64, entries: [] }), null, 'not keyed by a stack');
  // print(@m, top) under -f folded: the heaviest `top` entries; other maps print as text.
  const written: string[] = [];
  const text = { map: (m: MapData) => written.push(`text ${m.name}`) } as unknown as OutputSink;
  const sink = new FoldedSink(text, text, { write: (t) => written.push(t) });
  sink.map(map, { top: 1 });
  sink.map({ name: '@x', keyType: comm, valueType: u64, entries: [] });
  assert.equal(written, ['a:b;[unknown];mid;leaf 3\n', 'text @x']);
  assert.is(foldMap({ name: '@y', keyType: ustackKey, valueType: comm, entries: [] }), null, 'values are not numbers');
});

test('layout and SVG: widths add up, names are escaped, an empty graph says so', () => {
  const layout = layoutFlame([
    { frames: ['main', 'a<b>'], weight: 3n },
    { frames: ['main', 'c&d'], weight: 1n },
  ]);
  assert.is(layout.total, 4);
  assert.is(layout.maxDepth, 2);
  assert.equal(
    layout.boxes.map((b) => [b.name, b.depth, b.start, b.weight, b.self]),
    [
      ['all', 0, 0, 4, 0],
      ['main', 1, 0, 4, 0],
      ['a<b>', 2, 0, 3, 3],
      ['c&d', 2, 3, 1, 1],
    ],
  );
  const svg = renderSvg(layout, { title: 'x < y' });
  assert.match(svg, 'data-n="a&lt;b&gt;"');
  assert.match(svg, '<title>c&amp;d (1 of 4, 25.00%)</title>');
  assert.match(svg, '<text id="title" x="600" y="24">x &lt; y</text>');
  assert.not.match(svg, 'a<b>');
  assert.match(renderSvg(layoutFlame([])), 'no stacks were recorded');
  // Kernel frames (the last kernelFrames of a chain) are told apart in the tooltip and colour.
  const mixed = renderSvg(layoutFlame([{ frames: ['bash', 'main', 'entry_SYSCALL_64'], weight: 2n, kernelFrames: 1 }]));
  assert.match(mixed, /data-n="entry_SYSCALL_64" [^>]*data-k="1"><title>entry_SYSCALL_64 \[kernel\] \(2 of 2, 100.00%\)<\/title><rect [^>]*fill="rgb\(\d+,\d+,2\d\d\)"/);
  assert.match(mixed, /data-n="main" data-x="0" data-w="2" data-d="2"><title>main \(/);
  // The box cap keeps the heaviest boxes; a tie that would overflow it is left out whole.
  const many = Array.from({ length: 10 }, (_, i) => ({ frames: ['main', `f${i}`], weight: BigInt(i + 1) }));
  const capped = layoutFlame(many, 'all', 0, 5);
  assert.equal(capped.boxes.map((b) => b.name), ['all', 'main', 'f7', 'f8', 'f9']);
  assert.is(capped.pruned, 7);
  const ties = layoutFlame([...many, { frames: ['main', 'g'], weight: 8n }], 'all', 0, 5);
  assert.equal(ties.boxes.map((b) => b.name), ['all', 'main', 'f8', 'f9']);
});

test('bad flame graph requests: an unwritable --flamegraph path and an unknown -f format', () => {
  const r = bpfscript(['--flamegraph', '/nonexistent-dir/x.svg', '-e', 'BEGIN { @[kstack] = count(); exit(); }']);
  assert.is(r.status, 1);
  // Refused before tracing starts, as -o FILE is.
  assert.is(r.stdout, '');
  assert.is(r.stderr, 'ERROR: cannot write the flame graph file /nonexistent-dir/x.svg: No such file or directory\nHINT: check that its directory exists and is writable\n');
  assert.not.match(r.stderr, /\n\s+at /, 'no stack trace');
  const f = bpfscript(['-f', 'flame', '-e', 'BEGIN { exit(); }']);
  assert.is(f.status, 1);
  assert.match(f.stderr, "HINT: valid formats: 'text', 'json', 'folded', 'pprof'");
});

test.run();
