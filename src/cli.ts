// The command line, with bpftrace's flags. The one place that prints diagnostics and picks the
// exit status: every user-facing failure arrives here as a BpfscriptError.

import { readFileSync, writeFileSync } from 'node:fs';
import yargs from 'yargs';
import { BpfscriptError, renderAll } from './diagnostics';
import { compile } from './compile';

const VERSION = 'bpfscript v0.1.0';

interface CliArgs {
  e?: string;
  c?: string;
  emitLlvm?: string;
  emitElf?: string;
  dryRun?: boolean;
  _: (string | number)[];
}

function parseArgs(argv: string[]): CliArgs {
  return yargs(argv)
    .scriptName('bpfscript')
    .usage('USAGE:\n  bpfscript [options] filename\n  bpfscript [options] -e \'program\'')
    .option('e', { type: 'string', describe: 'program text' })
    .option('c', { type: 'string', describe: 'run CMD and trace until it exits; its pid is cpid' })
    .option('emit-llvm', { type: 'string', describe: 'write the optimised LLVM IR to FILE and exit' })
    .option('emit-elf', { type: 'string', describe: 'write the BPF ELF object to FILE and exit' })
    .option('dry-run', { type: 'boolean', describe: 'compile, load and attach, then exit' })
    .version(VERSION)
    .alias('V', 'version')
    .help('h')
    .alias('h', 'help')
    .strictOptions()
    .parserConfiguration({ 'halt-at-non-option': true })
    .fail((msg) => {
      throw new BpfscriptError({ severity: 'ERROR', message: msg, hint: 'run bpfscript -h for usage' });
    })
    .parseSync() as CliArgs;
}

export async function main(argv: string[]): Promise<void> {
  let sources = new Map<string, string>();
  try {
    const args = parseArgs(argv);
    let file: string;
    let source: string;
    if (args.e !== undefined) {
      file = 'stdin';
      source = args.e;
    } else if (args._.length > 0) {
      file = String(args._[0]);
      try {
        source = readFileSync(file, 'utf8');
      } catch (e) {
        throw new BpfscriptError({ severity: 'ERROR', message: `failed to read ${file}: ${(e as Error).message}` });
      }
    } else {
      throw new BpfscriptError({ severity: 'ERROR', message: 'no program given', hint: "pass a script file or -e 'program'" });
    }
    sources = new Map([[file, source]]);
    const gen = compile(source, { file, wantIR: args.emitLlvm !== undefined });
    if (args.emitLlvm !== undefined || args.emitElf !== undefined) {
      if (args.emitLlvm !== undefined) writeFileSync(args.emitLlvm, gen.ir ?? '');
      if (args.emitElf !== undefined) writeFileSync(args.emitElf, gen.elf);
      return;
    }
    if (process.getuid?.() !== 0) {
      throw new BpfscriptError({
        severity: 'ERROR',
        message: 'bpfscript must run as root to load BPF programs',
        hint: 'run it with sudo, or use --emit-elf/--emit-llvm to compile without loading',
      });
    }
    const { run } = await import('../runtime/session');
    process.exitCode = await run(gen, { command: args.c, dryRun: !!args.dryRun });
  } catch (e) {
    if (e instanceof BpfscriptError) {
      process.stderr.write(renderAll(e.diagnostics, sources));
      process.exitCode = 1;
      return;
    }
    // Anything else is a bug in bpfscript: say so in one line, and keep the trace for -d debugging.
    process.stderr.write(`ERROR: internal error: ${(e as Error)?.message ?? e}\n`);
    if (process.env.BPFSCRIPT_DEBUG) process.stderr.write(`${(e as Error)?.stack}\n`);
    process.exitCode = 1;
  }
}
