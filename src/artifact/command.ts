// The two artifact subcommands, `bpfscript build` and `bpfscript run`, with their own small option
// parser: yargs' module graph would cost a run more than the rest of its start.

import { readFileSync } from 'node:fs';
import { BpfscriptError, renderAll, type Sources } from '../../common/diagnostics';
import { err, out } from '../../common/stdio';
import { decodeSource } from '../../common/bytes';
import type { ProgramMeta } from '../compiled';

const BUILD_USAGE = "bpfscript build [--unsafe] [--compat V] [-k|-kk] [--include FILE] [-I DIR] (SCRIPT | -e 'program') -o ARTIFACT";
const RUN_USAGE = 'bpfscript run ARTIFACT [ARGS] [-c CMD] [-p PID] [-f text|json|folded|pprof] [-o FILE] [--flamegraph FILE.svg] [--metrics [ADDR]] [-q] [-v] [-B MODE] [--no-warnings] [--dry-run] [--unsafe] [--explain [--html PAGE]] [--test|--bench|--mode MODE] [--probe-filter REGEX] [-- --NAME=VALUE]';

/** Options taking a value, and flags, by subcommand. */
const VALUED = { build: ['-e', '-o', '--compat', '--include', '-I'], run: ['-c', '-p', '-f', '-o', '-B', '--flamegraph', '--html', '--mode', '--probe-filter'] } as const;
const FLAGS = { build: ['--unsafe', '-k', '-kk', '--no-warnings'], run: ['-q', '-v', '--no-warnings', '--dry-run', '--unsafe', '--explain', '--test', '--bench'] } as const;

interface Parsed {
  values: Map<string, string[]>;
  flags: Set<string>;
  operands: string[];
  /** `--name[=value]` arguments after the artifact and before any `--`: its getopt() options, if it has some. */
  loose: Set<string>;
}

function usage(cmd: 'build' | 'run', message: string): BpfscriptError {
  return new BpfscriptError({ severity: 'ERROR', message, hint: `USAGE: ${cmd === 'build' ? BUILD_USAGE : RUN_USAGE}` });
}

function parse(cmd: 'build' | 'run', argv: string[]): Parsed {
  const p: Parsed = { values: new Map(), flags: new Set(), operands: [], loose: new Set() };
  const valued = VALUED[cmd] as readonly string[];
  const flags = FLAGS[cmd] as readonly string[];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--') {
      p.operands.push(...argv.slice(i + 1));
      break;
    }
    if (cmd === 'run' && a === '--metrics') {
      // Its ADDR is optional, as in the main CLI: what follows is one only when it looks like one.
      const { looksLikeAddress } = require('../../runtime/metrics/address') as typeof import('../../runtime/metrics/address');
      const next = argv[i + 1];
      p.values.set(a, [next !== undefined && looksLikeAddress(next) ? argv[++i] : '']);
    } else if (valued.includes(a)) {
      if (argv[i + 1] === undefined) throw usage(cmd, `${a} needs a value`);
      p.values.set(a, [...(p.values.get(a) ?? []), argv[++i]]);
    } else if (flags.includes(a)) p.flags.add(a);
    else if (cmd === 'run' && (VALUED.build as readonly string[]).concat(FLAGS.build).includes(a)) {
      throw usage(cmd, `${a} is fixed when the artifact is built: give it to bpfscript build`);
    }
    // `./tool.bpfa --name=value` (its #! line adds `bpfscript run`): a program option, as after --.
    else if (cmd === 'run' && p.operands.length > 0 && /^--[^-=]/.test(a)) {
      p.loose.add(a);
      p.operands.push(a);
    } else if (a.startsWith('-') && a !== '-') throw usage(cmd, `unknown option for bpfscript ${cmd}: ${a}`);
    else p.operands.push(a);
  }
  return p;
}

const one = (p: Parsed, k: string): string | undefined => p.values.get(k)?.at(-1);

export interface CliHooks {
  /** The script's text by file name, so the CLI's error rendering shows its lines. */
  sources(s: Sources): void;
  /** Set once programs may be loaded: how the process must end (runtime/libbpf/exit.ts). */
  ending(f: (status: number) => never): void;
}

/** `argv` starts with the subcommand. Returns the exit status. */
export async function artifactCommand(argv: string[], version: string, hooks: CliHooks): Promise<number> {
  const cmd = argv[0] as 'build' | 'run';
  if (cmd === 'run') deferOptimizingCompiler();
  const p = parse(cmd, argv.slice(1));
  return cmd === 'build' ? buildCommand(p, version, hooks) : runCommand(p, hooks, version);
}

function buildCommand(p: Parsed, version: string, hooks: CliHooks): number {
  const target = one(p, '-o');
  if (target === undefined) throw usage('build', 'bpfscript build needs -o ARTIFACT');
  let file = 'stdin';
  let source: string;
  const e = one(p, '-e');
  if (e !== undefined) {
    if (p.operands.length) throw usage('build', `unexpected argument '${p.operands[0]}': an artifact takes its options at run time`);
    source = e;
  } else {
    if (p.operands.length !== 1) throw usage('build', p.operands.length ? `unexpected argument '${p.operands[1]}': an artifact takes its options at run time` : 'no program given');
    file = p.operands[0];
    try {
      source = decodeSource(readFileSync(file));
    } catch (x) {
      const { errnoWords } = require('../../common/errno-words') as typeof import('../../common/errno-words');
      throw new BpfscriptError({ severity: 'ERROR', message: `failed to open file '${file}': ${errnoWords(x as NodeJS.ErrnoException)}` });
    }
  }
  hooks.sources(new Map([[file, source]]));
  const strLen = process.env.BPFTRACE_STRLEN ? Number(process.env.BPFTRACE_STRLEN) : undefined;
  if (strLen !== undefined && !(Number.isInteger(strLen) && strLen >= 2 && strLen <= 1024)) {
    throw new BpfscriptError({ severity: 'ERROR', message: `BPFTRACE_STRLEN must be an integer from 2 to 1024, got '${process.env.BPFTRACE_STRLEN}'` });
  }
  const { mapKeysFromEnv } = require('../semantic/map-keys') as typeof import('../semantic/map-keys');
  const { chosenDialect } = require('../../common/dialect') as typeof import('../../common/dialect');
  const dialect = chosenDialect(one(p, '--compat'));
  const helperErrors = p.flags.has('-kk') ? 2 : p.flags.has('-k') ? 1 : undefined;
  const { build } = require('./build') as typeof import('./build');
  const { warnings } = build(
    source,
    { file, unsafe: p.flags.has('--unsafe'), strLen, mapKeys: mapKeysFromEnv(), ...(dialect ? { dialect } : {}), ...(helperErrors ? { helperErrors } : {}), ...(p.values.has('--include') ? { includes: p.values.get('--include') } : {}), ...(p.values.has('-I') ? { includeDirs: p.values.get('-I') } : {}) },
    target,
    version,
  );
  if (warnings.length && !p.flags.has('--no-warnings')) err(renderAll(warnings, new Map([[file, source]])));
  return 0;
}

async function runCommand(p: Parsed, hooks: CliHooks, version: string): Promise<number> {
  const [path, ...rest] = p.operands;
  if (path === undefined) throw usage('run', 'no artifact given');
  const { loadArtifact, kernelWarning, loadedModules, optionConfig, positionalConfig, programArgs } = require('./run') as typeof import('./run');
  const { program, info } = loadArtifact(path);
  const { runMode } = require('../cli') as typeof import('../cli');
  const mode = runMode({ test: p.flags.has('--test'), bench: p.flags.has('--bench'), mode: one(p, '--mode') });
  const filter = one(p, '--probe-filter');
  if (filter !== undefined) program.meta = keptProbes(program.meta, filter);
  const sources = new Map([[info.file, info.source]]);
  hooks.sources(sources);
  if (p.values.has('--html')) {
    const [{ checkPageArgs, explainPage }, { fromArtifact }] = await Promise.all([import('../explain/html/command'), import('../explain/html/model')]);
    checkPageArgs(one(p, '--html')!, p.flags.has('--explain'));
    explainPage(await fromArtifact(program, { path, ...info }, process.getuid?.() === 0), one(p, '--html')!, version);
    if (process.env.BPFSCRIPT_DEBUG_MODULES === '1') err(loadedModules());
    return 0;
  }
  if (p.flags.has('--explain')) {
    const { explain, STAGES } = await import('../explain');
    const colour = require('node:tty').isatty(1) && !process.env.NO_COLOR;
    out(await explain(info.source, { file: info.file, stages: [...STAGES], colour, canLoad: process.getuid?.() === 0 }));
    return 0;
  }
  if (process.getuid?.() !== 0) throw new BpfscriptError({ severity: 'ERROR', message: 'bpfscript must run as root to load BPF programs', hint: 'run it with sudo' });
  const { checkCliFlags } = require('../cli-flags') as typeof import('../cli-flags');
  const flags = checkCliFlags({ f: one(p, '-f'), q: p.flags.has('-q'), warnings: !p.flags.has('--no-warnings'), B: one(p, '-B'), metrics: one(p, '--metrics'), _: [] }, '');
  // -p refused in the words of the dialect the artifact was built for, as a script's run does.
  const pidText = one(p, '-p');
  const pid = pidText === undefined ? undefined : (require('../cli') as typeof import('../cli')).parsePid(pidText, program.meta.dialect ?? '0.17');
  const { positionals, named } = programArgs(info, rest, p.loose);
  const config = { ...positionalConfig(program.meta, positionals), ...optionConfig(info, named) };
  (require('./portability') as typeof import('./portability')).checkPortability(program.meta, info.tracepoints, info.kernel);
  const quietWarnings = p.flags.has('--no-warnings');
  const warn = kernelWarning(info);
  if (warn && !quietWarnings) err(warn);
  if (program.meta.warnings?.length && !quietWarnings) err(renderAll(program.meta.warnings, sources));
  const { run } = await import('../../runtime/session');
  hooks.ending((await import('../../runtime/libbpf/exit')).exitNow);
  const status = await run(program, { command: one(p, '-c'), pid, dryRun: p.flags.has('--dry-run'), format: formatOf(one(p, '-f')), outputFile: one(p, '-o'), flamegraph: one(p, '--flamegraph'), verbose: p.flags.has('-v'), unsafe: p.flags.has('--unsafe'), sources, config, ...flags.run, ...(mode ? { mode } : {}) });
  if (process.env.BPFSCRIPT_DEBUG_MODULES === '1') err(loadedModules());
  return status;
}

/** How long a run goes without V8's optimizing compiler. */
const TURBOFAN_AFTER_MS = 1000;

/**
 * V8's optimizing compiler stays off for a run's first second. Started, it maps in several MB of
 * its own code and working memory (3.5 MB of a 59 MB peak for `BEGIN { exit(); }`) to optimise
 * the module loader's path functions, which a short run never profits from; a long run gets it
 * back once the session is tracing (V8's tiering reads the flag at each decision: `node
 * --trace-opt` shows functions optimised after the second).
 */
function deferOptimizingCompiler(): void {
  const v8 = require('node:v8') as typeof import('node:v8');
  v8.setFlagsFromString('--no-turbofan');
  setTimeout(() => v8.setFlagsFromString('--turbofan'), TURBOFAN_AFTER_MS).unref();
}

/**
 * --probe-filter on a built program: the probes it does not keep are neither attached nor run
 * (their programs are still loaded; the compile of a script leaves them out instead).
 */
function keptProbes(meta: ProgramMeta, filter: string): ProgramMeta {
  const { probeFilter, noProbesLeft } = require('../probe-filter') as typeof import('../probe-filter');
  const keep = probeFilter(filter);
  const probes = meta.probes.filter((p) => keep(p.name, p.runOnce));
  if (!probes.length) throw noProbesLeft(filter, meta.dialect === '0.26');
  return { ...meta, probes };
}

/** -f as a session takes it (checkCliFlags refused any other name). */
function formatOf(f: string | undefined): 'text' | 'json' | 'folded' | 'pprof' {
  return f === 'json' || f === 'folded' || f === 'pprof' ? f : 'text';
}
