// The compiler pipeline, source to ELF: parse → the semantic passes → generate. No kernel access,
// no root. The stages are required on first use, not imported: a run served from the compile cache
// never loads chevrotain, the semantic passes or libLLVM (together most of a cold start).

import type { Program } from './ast';
import type { CompiledProgram } from './compiled';
import { DiagnosticBag, error } from '../common/diagnostics';
import type { Dialect } from '../common/dialect';
import type { Analysis } from './semantic/checked-program';
import type { AnalyzeOptions } from './semantic';
import { cacheDir, cacheKey, lookup, recordingReads, store, trustedCacheDir } from './cache';

export interface CompileOptions {
  file: string;
  wantIR?: boolean;
  /** Command-line arguments after the script ($1 … $N); part of what the program means. */
  positionals?: string[];
  /** --unsafe: allow system() and other side-effecting functions. */
  unsafe?: boolean;
  /** -k (1), -kk (2): failing BPF helpers are reported at run time. */
  helperErrors?: number;
  /** Capacity of str() results (BPFTRACE_STRLEN), NUL included. */
  strLen?: number;
  /** Entries of each keyed map (BPFTRACE_MAP_KEYS_MAX). */
  mapKeys?: number;
  /** -p PID: usdt probes without a binary name the process's mapped objects. */
  pid?: number;
  /** The -c command's program, resolved on PATH: watchpoint:FUNC+argN probes FUNC in it. */
  command?: string;
  /** --include FILE: headers included before the script. */
  includes?: string[];
  /** -I DIR: where headers are looked for. */
  includeDirs?: string[];
  /** --compat: which bpftrace's meaning and output (common/dialect.ts). */
  dialect?: Dialect;
  /** `-- --name=value` program options (getopt), as [name, value] pairs. */
  namedOptions?: [string, string | true][];
  /** --probe-filter REGEX. */
  probeFilter?: string;
  /** `bpfscript build`: numeric $N and $# are read at load from .rodata, not folded in (src/artifact/). */
  loadTimePositionals?: boolean;
  /** `bpfscript build`: kernel struct members are read through CO-RE relocations (Analysis.relocatable). */
  relocatable?: boolean;
}

export function compile(source: string, opts: CompileOptions): CompiledProgram {
  const { parse } = require('../grammar') as typeof import('../grammar');
  const { generate } = require('./codegen/program') as typeof import('./codegen/program');
  const { LLVMError } = require('./codegen/llvm') as typeof import('./codegen/llvm');
  const { checkIncludes } = require('./semantic/includes') as typeof import('./semantic/includes');
  const program = parse(source, opts.file);
  checkIncludes(program, opts.file, opts.includes, opts.includeDirs);
  const analysis = analyze(program, { positionals: opts.positionals, unsafe: opts.unsafe, strLen: opts.strLen, mapKeys: opts.mapKeys, pid: opts.pid, command: opts.command, helperErrors: opts.helperErrors, dialect: opts.dialect, namedOptions: opts.namedOptions, probeFilter: opts.probeFilter, loadTimePositionals: opts.loadTimePositionals, relocatable: opts.relocatable });
  try {
    return generate(analysis, { fileName: opts.file, source, wantIR: opts.wantIR });
  } catch (e) {
    // A malformed module or a backend refusal is our bug or an unsupported construct, not a crash.
    if (e instanceof LLVMError) {
      const { stackLimitError } = require('./codegen/stack-limit') as typeof import('./codegen/stack-limit');
      throw stackLimitError(e.message, analysis) ?? error(`code generation failed: ${e.message}`, undefined, 'please report this with the script that caused it');
    }
    throw e;
  }
}

/**
 * The semantic passes, in order, as bpftrace's pass manager runs its own. Errors are collected
 * across passes; expansion and checking each stop the compile with every error found so far.
 */
export function analyze(program: Program, opts: AnalyzeOptions = {}): Analysis {
  const pass = require('./semantic') as typeof import('./semantic');
  const diags = new DiagnosticBag();
  pass.resolveImports(program, diags); // imported scripts join the program
  const { stdlibMacros } = require('./stdlib') as typeof import('./stdlib');
  pass.expandMacros(program, stdlibMacros(), diags); // macro calls → their bodies
  diags.throwIfErrors();
  const analysis = pass.prepare(program, opts, diags); // settings, config block, positionals, C definitions
  (require('./functions/getopt') as typeof import('./functions/getopt')).checkNamedOptions(program, analysis.namedOptions ?? new Map());
  (require('./semantic/unreachable') as typeof import('./semantic/unreachable')).warnUnreachable(analysis, program); // 0.26: code after exit()/return
  pass.expandProbes(analysis, opts, diags); // attach points → one program each
  pass.filterProbes(analysis, opts.probeFilter); // --probe-filter
  pass.checkProbes(analysis, diags); // types of every expression, variable and map
  pass.applyMapDecls(analysis); // let @m = lruhash(N): the declared kind and size of each map
  pass.checkMetricsConfig(analysis, diags); // the config block's metrics_* settings, against the maps
  pass.dropUnresolved(analysis); // uprobes on symbols a binary lacks, skipped as bpftrace skips them
  pass.lowerRawTracepoints(analysis); // tracepoints that never read args run as raw tracepoints
  pass.addTwins(analysis); // kprobes fentry can run: an fentry twin, attached instead where it loads
  return analysis;
}

export interface CacheOptions {
  /** Skip the cache for this run (--no-cache); BPFSCRIPT_CACHE=0 does the same for every run. */
  noCache?: boolean;
  /** Where to say that the cache directory is not safe to use (once, for this run). */
  warn?: (text: string) => void;
}

/**
 * compile(), served from the compile cache when the same script was compiled before by this
 * compiler for this kernel and the files it read then are unchanged. IR output is never cached.
 */
export function compileCached(source: string, opts: CompileOptions, cache: CacheOptions = {}): CompiledProgram {
  const wanted = cache.noCache || opts.wantIR ? null : cacheDir();
  const dir = wanted && trustedCacheDir(wanted, cache.warn);
  if (!dir) return compile(source, opts);
  const key = cacheKey(source, opts, dir);
  const hit = lookup(dir, key);
  if (hit) return hit;
  const { result, deps } = recordingReads(() => compile(source, opts));
  store(dir, key, { elf: result.elf, meta: result.meta }, deps);
  return result;
}
