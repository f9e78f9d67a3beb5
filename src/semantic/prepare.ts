// The first semantic pass: the settings a compile runs with (command line, then the script's
// config block), string literal limits, positional parameters inlined as literals, constructs the
// front end parses but the passes do not implement yet, and the script's own C definitions.

import type { Program } from '../ast';
import { BpfscriptError, type DiagnosticBag } from '../diagnostics';
import type { Analysis } from './checked-program';
import { scriptTypes } from './c-decls';
import { readConfig } from './config';
import { useScriptTypes } from './kernel-types';
import { DEFAULT_MAP_KEYS } from './map-keys';
import { inlinePositionals, loadTimeUses } from './positionals';
import { checkStringLiterals } from './string-limits';
import { userTypes } from '../probes/uprobe-args';
import { DEFAULT_DIALECT, type Dialect } from '../dialect';

const DEFAULT_STRLEN = 64;

export interface AnalyzeOptions {
  positionals?: string[];
  /** Capacity of str() results, NUL included; bpftrace 0.17's default is 64. */
  strLen?: number;
  /** Entries of each keyed map (BPFTRACE_MAP_KEYS_MAX). */
  mapKeys?: number;
  unsafe?: boolean;
  /** -p PID: usdt probes without a binary search the process's mapped objects. */
  pid?: number;
  /** The -c command's program (watchpoint:FUNC+argN probes FUNC in it). */
  command?: string;
  /** -k / -kk. */
  helperErrors?: number;
  dialect?: Dialect;
  /** See Analysis.loadTimePositionals. */
  loadTimePositionals?: boolean;
  /** See Analysis.relocatable. */
  relocatable?: boolean;
}

function loadTime(program: Program): Pick<Analysis, 'loadTimePositionals' | 'loadTimeTexts'> {
  const { numbers, texts } = loadTimeUses(program);
  return { loadTimePositionals: numbers, loadTimeTexts: texts };
}

/** An empty analysis of `program`; errors found on the way go to `diags`, thrown by a later pass. */
export function prepare(program: Program, opts: AnalyzeOptions, diags: DiagnosticBag): Analysis {
  // Nothing but blanks, comments or definitions: bpftrace's parser stops at the end wanting a
  // probe, and so do we, rather than attaching nothing and waiting forever.
  if (program.probes.length === 0) {
    throw new BpfscriptError({ severity: 'ERROR', message: 'unexpected end of file, expected {', span: program.span, hint: 'a program needs at least one probe, e.g. BEGIN { printf("hello\\n"); exit(); }' });
  }
  const config = readConfig(program.config, diags);
  checkStringLiterals(program, diags);
  const analysis: Analysis = {
    program,
    probes: [],
    types: new Map(),
    maps: new Map(),
    events: [],
    eventIds: new Map(),
    helperEvents: new Map(),
    constants: new Map(),
    kernelFields: new Map(),
    positionals: opts.positionals ?? [],
    strLen: opts.strLen ?? config.strLen ?? DEFAULT_STRLEN,
    mapKeys: opts.mapKeys ?? config.mapKeys ?? DEFAULT_MAP_KEYS,
    forLoops: new Map(),
    unsafe: opts.unsafe ?? false,
    helperErrors: opts.helperErrors ?? 0,
    dialect: opts.dialect ?? DEFAULT_DIALECT,
    ...(opts.loadTimePositionals ? loadTime(program) : {}),
    ...(opts.relocatable ? { relocatable: true } : {}),
  };

  if (!opts.loadTimePositionals) inlinePositionals(program, analysis.positionals);

  // The front end parses these; until the semantic pass implements them, say so rather than
  // silently compiling a program that means something else.
  const unsupported: [string, { span: Program['span'] }[]][] = [
    ['import statements', program.imports ?? []],
    ['map declarations (let @m = hash(N))', program.mapDecls ?? []],
    ['macros', program.macros ?? []],
  ];
  for (const [what, nodes] of unsupported) {
    for (const node of nodes) diags.error(`${what} are not supported yet`, node.span, 'see spec.md for what is implemented');
  }
  const userBtf = userTypes(program, analysis.positionals);
  useScriptTypes(program.cDefinitions?.length ? scriptTypes(program, diags, userBtf) : userBtf);
  return analysis;
}
