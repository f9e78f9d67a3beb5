// Every example in examples/ is a lesson that must stay true: it has its header, the course in
// examples/README.md lists it, it parses, and examples/status.json says how far it goes here:
// "runs" (run with a workload, output checked, against bpftrace too where marked), "vm" (runs in
// the kernel lane, test/kernel/examples.kernel.ts; here compiled, and loaded where the kernel
// takes the program type), "loads" (compiled and accepted by the kernel verifier), or "waits" for
// a named feature.

import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from './child';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT, bpfscript, isRoot, renamedFixture, scratchPath } from './helpers';
import { histSamples, runWhile, sumOf } from './example-run';
import { stillLoaded } from './explain-helpers';
import { parse } from '../grammar';
import { compile } from '../src/compile';
import { BpfscriptError } from '../common/diagnostics';
import { verifierFigures } from '../src/explain/verifier-figures';
import { STAGES, explain } from '../src/explain';
import { useLibbpfFeatureProbes } from '../runtime/feature-probes';

// In-process compiles ask this kernel what it allows, as the CLI does.
useLibbpfFeatureProbes();

interface Status {
  status: 'runs' | 'vm' | 'loads' | 'waits';
  /** Traced with -c; {NAME} is test/fixtures/NAME.c built, {scratch} a file path on the checkout's disk. */
  command?: string;
  /** For scripts that run until stopped: run once a line matches `ready`; SIGINT once one printed after it matches `until`. */
  while?: string;
  ready?: string;
  until?: string;
  /** Each matches some line of the output. */
  expect?: string[];
  /** Each matches no line of the output. */
  absent?: string[];
  /** Regular expression with one number captured: the captures over all matching lines add up to this. */
  sums?: Record<string, number>;
  /** Histogram heading ("@usecs[comm]") and its number of samples, exactly or at least. */
  samples?: Record<string, number | { atLeast: number }>;
  bpftrace?: 'exact' | 'lines';
  /** "compiles": the kernel here refuses the program type at load. */
  host?: 'compiles';
  why?: string;
  for?: string;
  lane?: string;
}

const DIR = join(ROOT, 'examples');
const files = readdirSync(DIR).filter((f) => f.endsWith('.bt')).sort();
const statuses = JSON.parse(readFileSync(join(DIR, 'status.json'), 'utf8')) as Record<string, Status>;
const read = (f: string) => readFileSync(join(DIR, f), 'utf8');

/**
 * Fixtures run under this run's own names (renamedFixture), so what an example keys by comm is this
 * run's workload only, not another copy of the suite's; `ownNames` gives the patterns those names.
 */
const renamed = new Map<string, string>();
const expand = (cmd: string) =>
  cmd.replace(/\{(\w[\w-]*)\}/g, (_, name: string) => {
    if (name === 'scratch') return scratchPath('example-scratch.tmp');
    const f = renamedFixture(name);
    renamed.set(name, f.comm);
    return f.path;
  });
// A comm appears in the patterns as a word of its own: a map key, a column (not the tracepoint
// category `syscalls:` that shares the name).
const ownNames = (re: string) => [...renamed].reduce((r, [name, comm]) => r.replace(new RegExp(`(?<![:\\w])${name}(?![:\\w])`, 'g'), comm), re);

function checkOutput(f: string, st: Status, out: string): void {
  const lines = out.split('\n');
  for (const re of (st.expect ?? []).map(ownNames)) {
    assert.ok(lines.some((l) => new RegExp(re).test(l)), `${f}: a line matches ${re}\n${out}`);
  }
  for (const re of (st.absent ?? []).map(ownNames)) {
    assert.not.ok(lines.some((l) => new RegExp(re).test(l)), `${f}: no line matches ${re}\n${out}`);
  }
  for (const [re, want] of Object.entries(st.sums ?? {}).map(([re, want]) => [ownNames(re), want] as const)) {
    assert.is(sumOf(out, new RegExp(re)), want, `${f}: lines matching ${re} add up to ${want}\n${out}`);
  }
  for (const [heading, want] of Object.entries(st.samples ?? {})) {
    const got = histSamples(out, heading);
    assert.ok(got !== undefined, `${f}: a histogram ${heading}\n${out}`);
    if (typeof want === 'number') assert.is(got, want, `${f}: ${heading} has ${want} samples\n${out}`);
    else assert.ok(got! >= want.atLeast, `${f}: ${heading} has at least ${want.atLeast} samples, not ${got}\n${out}`);
  }
}

test('every example has a status, and every status an example', () => {
  assert.ok(files.length >= 20, `${files.length} examples`);
  assert.equal(files, Object.keys(statuses).filter((k) => k.endsWith('.bt')).sort());
});

test('every example starts with a header: what it shows, how to run it, what runs here, the output', () => {
  for (const f of files) {
    const text = read(f).split('\n');
    const head = text.slice(0, text.findIndex((l) => !l.startsWith('//'))).join('\n');
    for (const field of ['What it shows:', 'Run: sudo bpfscript examples/' + f, 'Here:', 'Output:']) {
      assert.ok(head.includes(`// ${field}`), `${f} header has "${field}"`);
    }
    const here = /\/\/ Here: (\w+)/.exec(head)?.[1];
    const st = statuses[f];
    const expected = { waits: ['waits'], runs: ['runs'], loads: ['loads', 'runs'], vm: [st.host ?? 'loads'] }[st.status];
    assert.ok(expected.includes(here!), `${f}: "Here: ${here}" agrees with status.json`);
    if (st.status === 'vm') {
      assert.ok(head.includes('VM lane'), `${f} header says it runs in the VM lane`);
      assert.ok(st.lane && readFileSync(join(ROOT, st.lane), 'utf8').includes(`'${f}'`), `${f}: ${st.lane} runs it`);
    }
  }
});

test('examples/README.md orders every example as a course', () => {
  const readme = readFileSync(join(DIR, 'README.md'), 'utf8');
  const positions = files.map((f) => readme.indexOf(`(${f})`));
  for (const [i, f] of files.entries()) assert.ok(positions[i] >= 0, `README links ${f}`);
  assert.equal([...positions].sort((a, b) => a - b), positions, 'in file order');
});

test('a histogram\'s samples are counted under its heading only', () => {
  const out = '@usecs[a]: \n[1]   2 |@@  |\n[2, 4)  3 |@@@|\n\n@usecs[b]: \n[0]   7 |@@@@|\n';
  assert.is(histSamples(out, '@usecs[a]'), 5);
  assert.is(histSamples(out, '@usecs[b]'), 7);
  assert.is(histSamples(out, '@usecs[c]'), undefined);
});

for (const f of files) {
  const st = statuses[f];
  test(`${f} parses`, () => {
    parse(read(f), `examples/${f}`);
  });

  if (st.status === 'waits') {
    test(`${f} waits for ${st.for}`, () => {
      try {
        compile(read(f), { file: `examples/${f}` });
      } catch (e) {
        assert.instance(e, BpfscriptError, 'a diagnostic, not a crash');
        return;
      }
      // Not a failure: someone built the feature. The status should move on, so say it loudly.
      console.log(`NOTE: examples/${f} now compiles: update its status in examples/status.json`);
    });
    continue;
  }

  const verdict = st.host === 'compiles' ? `the kernel here refuses it (${st.why})` : 'the verifier accepts it';
  test(`${f} compiles, --explain shows every stage, and ${verdict}`, async () => {
    const gen = compile(read(f), { file: `examples/${f}` });
    const shown = await explain(read(f), { file: `examples/${f}`, stages: ['ast', 'types', 'ir', 'bpf'], colour: false, canLoad: false });
    for (const p of gen.meta.probes) assert.match(shown, new RegExp(`\\n${p.progName}  .*instructions\\n`), `${p.progName} listed`);
    if (!isRoot) return;
    if (st.host === 'compiles') {
      // --explain still shows every stage, and its verifier stage says why nothing was loaded.
      const v = await explain(read(f), { file: `examples/${f}`, stages: STAGES, colour: false, canLoad: true });
      assert.is(v.split('\n').filter((l) => l.startsWith('== ')).length, STAGES.length, 'every stage');
      if (!/^skipped: probe_\d+ \(.*\) cannot be loaded here: .*\nHINT: /m.test(v)) {
        console.log(`NOTE: examples/${f} now loads here: update "host" in examples/status.json\n${v}`);
      }
      return;
    }
    const figs = await verifierFigures(gen);
    assert.is(figs.length, gen.meta.probes.length);
    for (const fig of figs) assert.ok(fig.processed !== null && fig.processed > 0, `${fig.progName} was verified`);
    assert.equal(stillLoaded(figs.map((x) => x.id)), [], 'unloaded again');
  });

  if (st.status === 'runs' && isRoot && st.while) {
    test(`${f} runs until stopped, and prints what its header says`, async () => {
      const r = await runWhile(join(DIR, f), expand(st.while!), { ready: st.ready ?? '', until: st.until });
      assert.is(r.status, 0, r.stderr);
      assert.is(r.workload, 0, 'the workload ran');
      checkOutput(f, st, r.stdout);
    });
  } else if (st.status === 'runs' && isRoot) {
    test(`${f} runs, and prints what its header says`, () => {
      const cmd = st.command && expand(st.command);
      const args = [...(cmd ? ['-c', cmd] : []), join(DIR, f)];
      const r = bpfscript(args);
      assert.is(r.status, 0, r.stderr);
      checkOutput(f, st, r.stdout);
      if (st.bpftrace) {
        const lines = r.stdout.split('\n');
        const b = spawnSync('bpftrace', args, { encoding: 'utf8', timeout: 60_000 });
        if (st.bpftrace === 'exact') assert.is(r.stdout, b.stdout, 'same output as bpftrace');
        for (const re of (st.expect ?? []).map(ownNames)) {
          const ours = lines.find((l) => new RegExp(re).test(l));
          assert.ok(b.stdout.split('\n').includes(ours!), `bpftrace prints "${ours}" too\n${b.stdout}`);
        }
      }
    });
  }
}

test.run();
