// Every example in examples/ is a lesson that must stay true: it has its header, the course in
// examples/README.md lists it, it parses, and examples/status.json says how far it goes here:
// "runs" (run with a workload, output checked, against bpftrace too where marked), "loads"
// (compiled and accepted by the kernel verifier), or "waits" for a named feature.

import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT, bpfscript, fixture, isRoot } from './helpers';
import { stillLoaded } from './explain-helpers';
import { parse } from '../grammar';
import { compile } from '../src/compile';
import { BpfscriptError } from '../src/diagnostics';
import { verifierFigures } from '../src/explain/verifier-figures';
import { explain } from '../src/explain';

interface Status {
  status: 'runs' | 'loads' | 'waits';
  command?: string;
  expect?: string[];
  bpftrace?: 'exact' | 'lines';
  why?: string;
  for?: string;
}

const DIR = join(ROOT, 'examples');
const files = readdirSync(DIR).filter((f) => f.endsWith('.bt')).sort();
const statuses = JSON.parse(readFileSync(join(DIR, 'status.json'), 'utf8')) as Record<string, Status>;
const read = (f: string) => readFileSync(join(DIR, f), 'utf8');

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
    const expected = statuses[f].status === 'waits' ? 'waits' : statuses[f].status === 'runs' ? 'runs' : ['loads', 'runs'];
    assert.ok(Array.isArray(expected) ? expected.includes(here!) : here === expected, `${f}: "Here: ${here}" agrees with status.json`);
  }
});

test('examples/README.md orders every example as a course', () => {
  const readme = readFileSync(join(DIR, 'README.md'), 'utf8');
  const positions = files.map((f) => readme.indexOf(`(${f})`));
  for (const [i, f] of files.entries()) assert.ok(positions[i] >= 0, `README links ${f}`);
  assert.equal([...positions].sort((a, b) => a - b), positions, 'in file order');
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

  test(`${f} compiles, --explain shows every stage, and the verifier accepts it`, async () => {
    const gen = compile(read(f), { file: `examples/${f}` });
    const shown = await explain(read(f), { file: `examples/${f}`, stages: ['ast', 'types', 'ir', 'bpf'], colour: false, canLoad: false });
    for (const p of gen.meta.probes) assert.match(shown, new RegExp(`\\n${p.progName}  .*instructions\\n`), `${p.progName} listed`);
    if (!isRoot) return;
    const figs = await verifierFigures(gen);
    assert.is(figs.length, gen.meta.probes.length);
    for (const fig of figs) assert.ok(fig.processed !== null && fig.processed > 0, `${fig.progName} was verified`);
    assert.equal(stillLoaded(figs.map((x) => x.id)), [], 'unloaded again');
  });

  if (st.status === 'runs' && isRoot) {
    test(`${f} runs, and prints what its header says`, () => {
      const cmd = st.command?.replace('{syscalls}', fixture('syscalls'));
      const args = [...(cmd ? ['-c', cmd] : []), join(DIR, f)];
      const r = bpfscript(args);
      assert.is(r.status, 0, r.stderr);
      const lines = r.stdout.split('\n');
      for (const re of st.expect ?? []) {
        assert.ok(lines.some((l) => new RegExp(re).test(l)), `${f}: a line matches ${re}\n${r.stdout}`);
      }
      if (st.bpftrace) {
        const b = spawnSync('bpftrace', args, { encoding: 'utf8', timeout: 60_000 });
        if (st.bpftrace === 'exact') assert.is(r.stdout, b.stdout, 'same output as bpftrace');
        for (const re of st.expect ?? []) {
          const ours = lines.find((l) => new RegExp(re).test(l));
          assert.ok(b.stdout.split('\n').includes(ours!), `bpftrace prints "${ours}" too\n${b.stdout}`);
        }
      }
    });
  }
}

test.run();
