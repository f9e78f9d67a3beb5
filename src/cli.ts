// The command line, with bpftrace's flags. The one place that prints diagnostics and picks the
// exit status: every user-facing failure arrives here as a BpfscriptError.

import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { BpfscriptError, renderAll } from '../common/diagnostics';
import { blockingStdio, err, out } from '../common/stdio';
import { decodeSource, rawArgs, toByteString } from '../common/bytes';
import { installFeatureProbeLoader } from '../common/kernel/host';
import { DEFAULT_DIALECT, chosenDialect, type Dialect } from '../common/dialect';
import { rewriteLongOptions } from './cli-long';
import { compileCached } from './compile';

const VERSION = 'bpfscript v0.1.0';

interface CliArgs {
  /** --no-fentry: kprobes stay kprobes (runtime/attach/twin.ts). */
  fentry?: boolean;
  e?: string;
  c?: string;
  emitLlvm?: string;
  emitElf?: string;
  dryRun?: boolean;
  unsafe?: boolean;
  cache?: boolean;
  explain?: boolean;
  html?: string;
  d?: string[];
  f?: string;
  o?: string;
  l?: boolean;
  v?: boolean;
  p?: string;
  fmt?: boolean;
  q?: boolean;
  warnings?: boolean;
  B?: string;
  info?: boolean;
  k?: number;
  I?: string[];
  include?: string[];
  compat?: string;
  test?: boolean;
  bench?: boolean;
  mode?: string;
  probeFilter?: string;
  flamegraph?: string;
  metrics?: string;
  _: (string | number)[];
}

/**
 * The common invocations (`-e PROG`, `FILE [ARGS]`, `-c CMD`, `--dry-run`, `--no-cache`) parsed
 * without yargs, whose ES-module graph costs ~70 ms of a ~100 ms cached start. Anything else,
 * including every error and -h/-V, returns undefined and goes to yargs, which stays the reference.
 */
function quickArgs(argv: string[]): CliArgs | undefined {
  const out: CliArgs = { _: [] };
  const valued: Record<string, 'e' | 'c' | 'compat'> = { '-e': 'e', '-c': 'c', '--compat': 'compat' };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const key = valued[a];
    if (key) {
      const v = argv[i + 1];
      if (out[key] !== undefined || v === undefined || v.startsWith('-')) return undefined;
      out[key] = v;
      i++;
    } else if (a === '--dry-run' && !out.dryRun) out.dryRun = true;
    else if (a === '--no-cache' && out.cache === undefined) out.cache = false;
    // Like bpftrace (getopt), options may follow the script: `bpfscript x.bt -c CMD`; `--` ends options.
    else if (a === '--') {
      out._.push(...argv.slice(i + 1));
      return out;
    } else if (a === '-' || !a.startsWith('-')) out._.push(a);
    else return undefined;
  }
  return out;
}

function parseArgs(argv: string[]): CliArgs {
  const quick = quickArgs(argv);
  if (quick) return quick;
  // Required here, not imported: see quickArgs.
  // Node returns the ES module's default export itself here; a CommonJS build would nest it.
  const loaded = require('yargs') as typeof import('yargs').default & { default?: typeof import('yargs').default };
  const yargs = loaded.default ?? loaded;
  // yargs prints help and versions through process.stdout.
  blockingStdio();
  const parsed = yargs(argv)
    .scriptName('bpfscript')
    .usage('USAGE:\n  bpfscript [options] filename\n  bpfscript [options] -e \'program\'')
    .option('e', { type: 'string', describe: 'program text' })
    .option('c', { type: 'string', describe: 'run CMD and trace until it exits; its pid is cpid' })
    .option('emit-llvm', { type: 'string', describe: 'write the optimised LLVM IR to FILE and exit' })
    .option('emit-elf', { type: 'string', describe: 'write the BPF ELF object to FILE and exit' })
    .option('dry-run', { type: 'boolean', describe: 'compile, load and attach, then exit' })
    .option('unsafe', { type: 'boolean', describe: 'allow side-effecting functions such as system()' })
    .option('fentry', { type: 'boolean', describe: 'attach kprobes through fentry/fexit where the kernel allows, cheaper per event (default; --no-fentry: always as kprobes)' })
    .option('cache', { type: 'boolean', describe: 'reuse compiled programs from ~/.cache/bpfscript (--no-cache: compile afresh; BPFSCRIPT_CACHE=0: never)' })
    .option('explain', { type: 'boolean', describe: 'show every stage: AST, types, LLVM IR, BPF instructions, verifier figures' })
    .option('html', { type: 'string', describe: 'with --explain: write every stage as one self-contained HTML page to FILE, linking each script line to its IR and instructions' })
    .option('f', { type: 'string', describe: 'output format: text (default), json (one object per line), folded or pprof (stack-keyed maps as folded stacks or a pprof profile)' })
    .option('flamegraph', { type: 'string', describe: 'at exit, write the maps keyed by kstack/ustack as an interactive SVG flame graph to FILE' })
    .option('o', { type: 'string', describe: 'write the output to FILE instead of stdout' })
    .option('l', { type: 'boolean', describe: 'list probes matching the pattern given as argument (-lv: with their arguments)' })
    .option('v', { type: 'boolean', describe: 'verbose: with -l, show tracepoint arguments and usdt argument specs' })
    .option('p', { type: 'string', describe: 'trace process PID only: uprobes and usdt probes attach to it' })
    .option('d', { type: 'string', array: true, nargs: 1, describe: 'show one stage and exit: ast, macros, types, ir, bpf, verifier' })
    .option('fmt', { type: 'boolean', describe: 'print the program formatted as canonical source and exit' })
    .option('q', { type: 'boolean', describe: 'keep messages quiet (no "Attaching N probes..." line)' })
    .option('warnings', { type: 'boolean', describe: '--no-warnings: disable all warning messages' })
    .option('B', { type: 'string', describe: "stdout buffering mode: 'line' (default), 'full', 'none'" })
    .option('info', { type: 'boolean', describe: 'print what this kernel supports: helpers and probe types' })
    .option('k', { type: 'count', describe: 'accepted for compatibility (-k, -kk); see spec.md "Command line"' })
    .option('I', { type: 'string', array: true, nargs: 1, describe: 'add a directory to the header search path (types come from BTF and struct definitions in the script)' })
    .option('include', { type: 'string', array: true, nargs: 1, describe: 'include a header before the script (its known macros, e.g. errno.h)' })
    // bpftrace's flag to raise usdt semaphores in every process running the binary: bpfscript hands
    // semaphores to the kernel (uprobe ref_ctr_offset), which always does that.
    .option('compat', { type: 'string', describe: 'which bpftrace to speak: 0.17 (default) or 0.26; also BPFSCRIPT_COMPAT' })
    .option('test', { type: 'boolean', describe: 'run every test: probe, then exit (same as --mode test)' })
    .option('bench', { type: 'boolean', describe: 'run every bench: probe and print ns per run (same as --mode bench)' })
    .option('mode', { type: 'string', describe: "'test' or 'bench'" })
    .option('probe-filter', { type: 'string', describe: 'only attach and run probes whose name matches REGEX (BEGIN/END always run)' })
    .option('metrics', { type: 'string', describe: 'serve every map to Prometheus at http://ADDR/metrics until SIGINT/SIGTERM; ADDR is HOST:PORT, :PORT or PORT (default 127.0.0.1:9435)' })
    .option('usdt-file-activation', { type: 'boolean', describe: 'accepted for compatibility: usdt semaphores are always raised in every process running the binary' })
    .version(VERSION)
    .alias('V', 'version')
    .help('h')
    .alias('h', 'help')
    .strictOptions()
    .fail((msg) => {
      // The usage lines, as bpftrace prints them after a bad option.
      throw new BpfscriptError({ severity: 'ERROR', message: msg, hint: "run bpfscript -h for every option\nUSAGE:\n    bpfscript [options] filename\n    bpfscript [options] - <stdin input>\n    bpfscript [options] -e 'program'" });
    })
    .parseSync() as CliArgs;
  return lastOfRepeated(parsed);
}

/** Options that may be given several times and mean all of them. */
const LISTS = new Set(['_', 'd', 'I', 'include']);

/** A single-valued option given twice: the last one counts, as with bpftrace's getopt. */
function lastOfRepeated(args: CliArgs): CliArgs {
  const out: Record<string, unknown> = { ...args };
  for (const [k, v] of Object.entries(out)) if (Array.isArray(v) && !LISTS.has(k)) out[k] = v[v.length - 1];
  return out as unknown as CliArgs;
}

/** Root, or the capabilities bpftrace 0.23+ asks for: see src/privileges.ts. */
function requireRoot(what: string, hint: string): void {
  (require('./privileges') as typeof import('./privileges')).requirePrivileges(what, hint);
}

/** --test, --bench or --mode MODE (bpftrace 0.25+): which of a script's test:/bench: probes to run. */
export function runMode(args: Pick<CliArgs, 'test' | 'bench' | 'mode'>): 'test' | 'bench' | undefined {
  const given = [args.test && 'test', args.bench && 'bench', args.mode].filter((m): m is string => !!m);
  if (given.length > 1) throw new BpfscriptError({ severity: 'ERROR', message: `USAGE: --${given[1] === args.mode ? 'mode' : given[1]} conflicts with existing --mode` });
  const m = given[0];
  if (m !== undefined && m !== 'test' && m !== 'bench') throw new BpfscriptError({ severity: 'ERROR', message: `USAGE: --mode can only be 'test' or 'bench', got '${m}'` });
  return m;
}

/** PID_MAX_LIMIT on 64-bit kernels: the largest pid there can be. */
const PID_MAX = 4194304;

/** -p as bpftrace validates it: a decimal number (no 0x, no trailing text) of a running process. */
/** -p's value, refused in the chosen bpftrace's words. */
export function parsePid(text: string, dialect: Dialect): number {
  const now = dialect === '0.26';
  if (!/^[+-]?\d+$/.test(text)) {
    // 0.26 parses with from_chars: digits followed by something else are "trailing bytes".
    const why = /^[+-]?\d/.test(text) ? 'invalid trailing bytes' : 'invalid integer';
    throw new BpfscriptError({ severity: 'ERROR', message: now ? `Failed to parse pid: ${why}: ${text}` : `pid '${text}' is not a valid decimal number` });
  }
  const pid = Number(text);
  if (pid < 1 || pid > PID_MAX) throw new BpfscriptError({ severity: 'ERROR', message: now ? `Pid out of range: ${text}` : `pid '${text}' out of valid pid range [1,${PID_MAX}]` });
  if (!existsSync(`/proc/${pid}`)) throw new BpfscriptError({ severity: 'ERROR', message: `-p ${pid}: no such process`, hint: 'give the pid of a running process' });
  return pid;
}

/**
 * Ends the process by `signal` with its default action, as a C program would die, so a shell sees
 * 128+N. Node ignores SIGPIPE; adding and removing a listener puts the default action back.
 */
function dieOfSignal(signal: NodeJS.Signals): void {
  const none = () => {};
  process.on(signal, none);
  process.off(signal, none);
  process.kill(process.pid, signal);
}

/**
 * The compiler's feature probes (may fentry stand in for kprobes? kprobe_multi?) load through the
 * runtime's libbpf binding, required on the first question: a cached run or a tracepoint never
 * pays for it.
 */
function installFeatureProbes(): void {
  installFeatureProbeLoader((probe) => (require('../runtime/feature-probes') as typeof import('../runtime/feature-probes')).loadFeatureProbe(probe));
}

export async function main(cmdline: string[]): Promise<void> {
  installFeatureProbes();
  let sources = new Map<string, string>();
  const argv = rawArgs(cmdline);
  // Set once a session has loaded programs: its end leaves through exitNow (runtime/libbpf/exit.ts).
  let endSession: ((status: number) => never) | undefined;
  try {
    // `bpfscript build SCRIPT -o FILE`, `bpfscript run FILE`: artifacts (src/artifact/).
    if (argv[0] === 'build' || argv[0] === 'run') {
      const { artifactCommand } = await import('./artifact/command');
      const status = await artifactCommand(argv, VERSION, { sources: (s) => (sources = new Map(s)), ending: (f) => (endSession = f) });
      process.exitCode = status;
      if (status === 128 + 13) dieOfSignal('SIGPIPE');
      if (endSession) endSession(status);
      return;
    }
    const long = rewriteLongOptions(argv);
    const args = parseArgs(long.argv);
    const { checkCliFlags } = await import('./cli-flags');
    const flags = checkCliFlags(args, VERSION);
    if (flags.done) return;
    const dialect = chosenDialect(args.compat);
    const pid = args.p === undefined ? undefined : parsePid(String(args.p), dialect ?? DEFAULT_DIALECT);
    if (args.l) {
      requireRoot('list probes', 'run it with sudo');
      const { listCommand } = await import('./list-command');
      listCommand({ search: args._.length ? String(args._[0]) : undefined, program: args.e, verbose: !!args.v, pid, dialect }, { write: out, warn: err });
      return;
    }
    let file: string;
    let source: string;
    if (args.e === '') {
      // As bpftrace: an empty -e is no program at all.
      throw new BpfscriptError({ severity: 'ERROR', message: "USAGE: filename or -e 'program' required." });
    } else if (args.e !== undefined) {
      file = 'stdin';
      source = args.e;
    } else if (args._.length > 0) {
      file = String(args._[0]);
      try {
        // `-` reads the program from stdin, as bpftrace does; diagnostics then name it "stdin".
        if (file === '-') file = 'stdin';
        source = decodeSource(readFileSync(args._[0] === '-' ? 0 : file));
      } catch (e) {
        // bpftrace's wording (scripts match on it), with strerror's text rather than Node's code.
        const { errnoWords } = require('../common/errno-words') as typeof import('../common/errno-words');
        throw new BpfscriptError({ severity: 'ERROR', message: `failed to open file '${file}': ${errnoWords(e as NodeJS.ErrnoException)}` });
      }
    } else {
      throw new BpfscriptError({ severity: 'ERROR', message: 'no program given', hint: "pass a script file or -e 'program'" });
    }
    sources = new Map([[file, source]]);
    if (args.fmt) {
      const [{ parse }, { formatProgram }] = await Promise.all([import('../grammar'), import('./fmt')]);
      out(formatProgram(parse(source, file)));
      return;
    }
    if (args.html !== undefined) {
      const { pageOfScript } = await import('./explain/html/command');
      await pageOfScript(source, args.html, VERSION, { explain: !!args.explain, file, dialect, positionals: args._.slice(args.e !== undefined ? 0 : 1).map(String), unsafe: !!args.unsafe, includes: args.include, includeDirs: args.I });
      return;
    }
    if (args.explain || args.d !== undefined) {
      const { explain, parseStages, STAGES } = await import('./explain');
      const stages = args.explain ? STAGES : parseStages(args.d ?? []);
      const colour = require('node:tty').isatty(1) && !process.env.NO_COLOR;
      out(await explain(source, { file, stages, colour, canLoad: (require('./privileges') as typeof import('./privileges')).mayLoad() }));
      return;
    }
    const emitOnly = args.emitLlvm !== undefined || args.emitElf !== undefined;
    // Before compiling: tracefs, kallsyms and BTF give a non-root user misleading answers
    // ("tracepoint not found").
    if (!emitOnly) requireRoot('load BPF programs', 'run it with sudo, or use --emit-elf/--emit-llvm to compile without loading');
    // Arguments after the program are its positional parameters $1 … $N and, after `--`, its
    // named options `--name=value` (getopt; read as positionals by bpftrace 0.17 unless the script
    // reads options).
    const programArgs = args._.slice(args.e !== undefined ? 0 : 1).map((a) => toByteString(String(a)));
    const { splitProgramArgs, usesGetopt } = require('./functions/getopt') as typeof import('./functions/getopt');
    const split = dialect === '0.26' || usesGetopt(source) ? splitProgramArgs(programArgs) : { positionals: programArgs, named: new Map() };
    const positionals = split.positionals;
    const mode = runMode(args);
    const helperErrors = (require('./cli-flags') as typeof import('./cli-flags')).helperErrorLevel(args.k, args.warnings, dialect);
    const strLen = process.env.BPFTRACE_STRLEN ? Number(process.env.BPFTRACE_STRLEN) : undefined;
    if (strLen !== undefined && !(Number.isInteger(strLen) && strLen >= 2 && strLen <= 1024)) {
      throw new BpfscriptError({ severity: 'ERROR', message: `BPFTRACE_STRLEN must be an integer from 2 to 1024, got '${process.env.BPFTRACE_STRLEN}'` });
    }
    const { mapKeysFromEnv } = await import('./semantic/map-keys');
    const mapKeys = mapKeysFromEnv();
    // The -c program as bpftrace resolves it (first word, on PATH): watchpoint:FUNC+argN probes it.
    const cmd = args.c?.trim().split(/\s+/)[0];
    const command = cmd ? ((require('../common/kernel/binaries') as typeof import('../common/kernel/binaries')).resolveBinary(cmd) ?? cmd) : undefined;
    // Required here, not at the top: an artifact run (src/artifact/) needs neither the compiler nor the cache.
    const { compileCached } = require('./compile') as typeof import('./compile');
    const gen = compileCached(source, { file, ...(dialect ? { dialect } : {}), ...(split.named.size ? { namedOptions: [...split.named] } : {}), ...(args.probeFilter !== undefined ? { probeFilter: args.probeFilter } : {}), wantIR: args.emitLlvm !== undefined, positionals, unsafe: !!args.unsafe, strLen, mapKeys, pid, command, ...(helperErrors ? { helperErrors } : {}), ...(args.include?.length ? { includes: args.include } : {}), ...(args.I?.length ? { includeDirs: args.I } : {}) }, { noCache: args.cache === false, warn: args.warnings === false ? undefined : err });
    if (gen.meta.warnings?.length && args.warnings !== false) err(renderAll(gen.meta.warnings, sources));
    if (emitOnly) {
      if (args.emitLlvm !== undefined) writeFileSync(args.emitLlvm, gen.ir ?? '');
      if (args.emitElf !== undefined) writeFileSync(args.emitElf, gen.elf);
      return;
    }
    const { run, EXIT_OUTPUT_CLOSED } = await import('../runtime/session');
    endSession = (await import('../runtime/libbpf/exit')).exitNow;
    const status = await run(gen, { command: args.c, pid, dryRun: !!args.dryRun, format: args.f === 'json' || args.f === 'folded' || args.f === 'pprof' ? args.f : 'text', outputFile: args.o, flamegraph: args.flamegraph, verbose: !!args.v, unsafe: !!args.unsafe, sources, ...(args.fentry === false ? { noFentry: true } : {}), ...flags.run, ...(mode ? { mode } : {}) });
    if (process.env.BPFSCRIPT_DEBUG_MODULES === '1') err((require('./artifact/run') as typeof import('./artifact/run')).loadedModules());
    // 128+13 stays the status should the signal be blocked (a parent's sigmask is inherited).
    process.exitCode = status;
    if (status === EXIT_OUTPUT_CLOSED) dieOfSignal('SIGPIPE');
  } catch (e) {
    if (e instanceof BpfscriptError) {
      err(renderAll(e.diagnostics, sources));
    } else {
      // Anything else is a bug in bpfscript: say so in one line, and keep the trace for -d debugging.
      err(`ERROR: internal error: ${(e as Error)?.message ?? e}\n`);
      if (process.env.BPFSCRIPT_DEBUG) err(`${(e as Error)?.stack}\n`);
    }
    process.exitCode = 1;
  }
  if (endSession) endSession(Number(process.exitCode ?? 0));
}
