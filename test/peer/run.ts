// `npm run test:peer -- DIR [--filter GLOB] [--no-oracle] [--oracle FILE] [--report FILE] [--compat 0.26]`: bpftrace's
// own runtime tests (DIR/tests/runtime of a bpftrace checkout the user fetched; nothing of it is in
// this repository) run against bpfscript and, where bpftrace is installed, against bpftrace too.
// It prints, per test, both outcomes, then how many of the tests bpftrace passes here bpfscript
// passes, and writes every failure with its command and output to the report (JSON).
// --compat 0.26 runs bpfscript in that dialect (BPFSCRIPT_COMPAT), for a checkout of bpftrace 0.26's
// tests, where no bpftrace of that version is here to compare with (use --no-oracle).
// Tests that need a kprobe or fentry attached are set aside on a kernel that cannot attach them
// (applicability.ts) and counted apart; --vm-lane runs only those, for a machine that can.

import { spawnSync } from '../child';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { readSuites, testFormat, type PeerTest, type TestFormat } from './parse';
import { runTest, type Result, type RunContext, type Tool } from './runner';
import { prepareWorkdir } from './workdir';
import { NOTHING, attachCapabilities, attachReason } from './applicability';

const ROOT = join(__dirname, '..', '..', '..');

interface Options {
  dir: string;
  filter?: RegExp;
  oracle: boolean;
  /** bpftrace's results from an earlier run: reused, and written back, so it runs once per test. */
  oracleFile?: string;
  report: string;
  /** --compat: the dialect bpfscript runs in. */
  compat?: string;
  /** Only the tests that need kprobe/fentry attached (for the VM lane), none set aside. */
  vmLane: boolean;
}

function parseArgs(argv: string[]): Options {
  const o: Partial<Options> = { oracle: true, report: 'peer-report.json', vmLane: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--filter') o.filter = globRegExp(argv[++i]);
    else if (a === '--no-oracle') o.oracle = false;
    else if (a === '--oracle') o.oracleFile = argv[++i];
    else if (a === '--report') o.report = argv[++i];
    else if (a === '--compat') o.compat = argv[++i];
    else if (a === '--vm-lane') o.vmLane = true;
    else if (!a.startsWith('-') && !o.dir) o.dir = a;
    else throw new Error(`unknown argument ${a}`);
  }
  if (!o.dir) throw new Error('usage: npm run test:peer -- BPFTRACE_CHECKOUT [--filter GLOB] [--no-oracle] [--oracle FILE] [--report FILE] [--compat 0.26] [--vm-lane]');
  return o as Options;
}

/** The engine's filter is an fnmatch glob over SUITE.NAME. */
function globRegExp(glob: string): RegExp {
  return new RegExp(`^${glob.replace(/[.+^${}()|\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.')}$`);
}

/** The machine's features as bpftrace's engine reads them from `bpftrace --info`. */
function features(format: TestFormat): Set<string> {
  const r = spawnSync('bpftrace', ['--info'], { encoding: 'utf8', timeout: 30_000 });
  const info = `${r.stdout ?? ''}${r.stderr ?? ''}`;
  const probes: [string, string][] = [
    ['loop', 'Loop support: yes'],
    ['probe_read_kernel', 'probe_read_kernel: yes'],
    ['btf', 'btf: yes'],
    ['kfunc', 'kfunc: yes'],
    ['dpath', 'dpath: yes'],
    ['uprobe_refcount', 'uprobe refcount (depends on Build:bcc bpf_attach_uprobe refcount): yes'],
    ['signal', 'send_signal: yes'],
    ['iter:task', 'iter:task: yes'],
    ['iter:task_file', 'iter:task_file: yes'],
    ['libpath_resolv', 'bcc library path resolution: yes'],
    ['dwarf', 'libdw (DWARF support): yes'],
    ['kprobe_multi', 'kprobe_multi: yes'],
    ['skboutput', 'skboutput: yes'],
  ];
  const found = new Set(probes.filter(([, text]) => info.includes(text)).map(([f]) => f));
  if (format === 'lines') {
    // The newer engine's names: kfunc became fentry, the iterators one "iter"; the helpers it
    // asks about are all in the kernels this runs on (5.15+).
    if (found.has('kfunc')) found.add('fentry');
    if (found.has('iter:task')) found.add('iter');
    for (const f of ['get_tai_ns', 'get_func_ip', 'jiffies64', 'lookup_percpu_elem']) found.add(f);
  }
  return found;
}

function mark(r: Result | undefined): string {
  return !r ? '-' : r.outcome === 'pass' ? 'ok' : r.outcome === 'skip' ? 'skip' : r.outcome.toUpperCase();
}

async function main(): Promise<void> {
  const opts = parseArgs(process.argv.slice(2));
  const runtime = join(existsSync(join(opts.dir, 'tests')) ? join(opts.dir, 'tests') : opts.dir, 'runtime');
  const format = testFormat(runtime);
  let tests: PeerTest[] = readSuites(runtime, format);
  if (opts.filter) tests = tests.filter((t) => opts.filter!.test(t.id));
  const work = prepareWorkdir(opts.dir, (l) => console.log(l));
  const caps = opts.vmLane ? null : attachCapabilities();
  if (opts.vmLane) tests = tests.filter((t) => attachReason(t, NOTHING, work));
  const elsewhere = new Map<string, string>();
  if (caps) for (const t of tests) {
    const why = attachReason(t, caps, work);
    if (why) elsewhere.set(t.id, why);
  }
  const ctx: RunContext = { cwd: work, features: features(format), attachTimeoutS: format === 'lines' ? 10 : 5 };
  const bpfscript: Tool = { name: 'bpfscript', path: join(ROOT, 'bin', 'bpfscript'), ...(opts.compat ? { env: { BPFSCRIPT_COMPAT: opts.compat } } : {}) };
  const bpftraceOn = opts.oracle && spawnSync('bpftrace', ['--version'], { timeout: 10_000 }).status === 0;
  const bpftrace: Tool = { name: 'bpftrace', path: 'bpftrace' };
  const remembered: Record<string, Result> = opts.oracleFile && existsSync(opts.oracleFile) ? JSON.parse(readFileSync(opts.oracleFile, 'utf8')) : {};

  const theirs = new Map<string, Result>();
  const ours = new Map<string, Result>();
  for (const t of tests) {
    if (bpftraceOn) {
      const r = remembered[t.id] ?? (await runTest(t, bpftrace, ctx));
      theirs.set(t.id, (remembered[t.id] = r));
    }
    const aside = elsewhere.get(t.id);
    ours.set(t.id, aside ? { outcome: 'skip', reason: aside, command: t.run, output: '' } : await runTest(t, bpfscript, ctx));
    console.log(`${(aside ? 'VM-LANE' : mark(ours.get(t.id))).padEnd(8)} ${t.id}${bpftraceOn ? `   (bpftrace: ${mark(theirs.get(t.id))})` : ''}`);
  }
  if (opts.oracleFile && bpftraceOn) writeFileSync(opts.oracleFile, JSON.stringify(remembered, null, 1));

  const ran = tests.filter((t) => ours.get(t.id)!.outcome !== 'skip');
  const passed = ran.filter((t) => ours.get(t.id)!.outcome === 'pass');
  const failures = ran.filter((t) => ours.get(t.id)!.outcome !== 'pass');
  const skipped = tests.length - ran.length - elsewhere.size;
  console.log(`\n${tests.length} tests, ${skipped} skipped here; bpfscript passes ${passed.length} of ${ran.length}`);
  if (caps) console.log(`${elsewhere.size} need kprobe/fentry attached, which this kernel cannot (kprobes: ${caps.kprobe ? 'yes' : 'no'}, fentry: ${caps.fentry ? 'yes' : 'no'}): run them in the VM lane (--vm-lane)`);
  let shown = failures;
  if (bpftraceOn) {
    const theyPass = ran.filter((t) => theirs.get(t.id)?.outcome === 'pass');
    const both = theyPass.filter((t) => ours.get(t.id)!.outcome === 'pass');
    const onlyOurs = passed.filter((t) => theirs.get(t.id)?.outcome !== 'pass');
    const pct = theyPass.length ? ((100 * both.length) / theyPass.length).toFixed(1) : '0';
    console.log(`bpftrace passes ${theyPass.length}; bpfscript passes ${both.length} of those (${pct}%), and ${onlyOurs.length} that bpftrace fails here`);
    shown = theyPass.filter((t) => ours.get(t.id)!.outcome !== 'pass');
  }
  const report = shown.map((t) => ({ id: t.id, ...ours.get(t.id)!, output: ours.get(t.id)!.output.slice(0, 4000), expect: t.expects, bpftrace: theirs.get(t.id)?.outcome }));
  writeFileSync(opts.report, JSON.stringify(report, null, 1));
  console.log(`${shown.length} failures${bpftraceOn ? ' among the tests bpftrace passes' : ''}, with commands and output, in ${opts.report}; work directory ${work}`);
  for (const f of report) console.log(`  ${f.outcome.toUpperCase().padEnd(8)} ${f.id}: ${f.reason ?? ''}`);
}

main().catch((e) => {
  console.error(`test:peer: ${(e as Error).message}`);
  process.exitCode = 1;
});
