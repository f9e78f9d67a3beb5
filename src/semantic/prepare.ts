// The first semantic pass: the settings a compile runs with (command line, then the script's
// config block), string literal limits, positional parameters inlined as literals, constructs the
// front end parses but the passes do not implement yet, and the script's own C definitions.

import type { Program } from '../ast';
import { BpfscriptError, type DiagnosticBag } from '../../common/diagnostics';
import type { Analysis } from './checked-program';
import { scriptTypes } from './c-decls';
import { readConfig } from './config';
import { useScriptTypes } from './kernel-types';
import { DEFAULT_MAP_KEYS } from './map-keys';
import { inlinePositionals, loadTimeUses } from './positionals';
import { scopeVariables } from './scopes';
import { checkStringLiterals } from './string-limits';
import { userTypes } from '../probes/uprobe-args';
import { DEFAULT_DIALECT, type Dialect } from '../../common/dialect';

const DEFAULT_STRLEN = 64;
/** The largest str() capacity, NUL included. */
const MAX_STRLEN = 1024;

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
  /** `-- --name=value` program options (getopt), as [name, value] pairs. */
  namedOptions?: [string, string | true][];
  /** --probe-filter: only probes whose name matches are compiled (BEGIN/END and the like always). */
  probeFilter?: string;
  /** See Analysis.loadTimePositionals. */
  loadTimePositionals?: boolean;
  /** See Analysis.relocatable. */
  relocatable?: boolean;
}

function loadTime(program: Program): Pick<Analysis, 'loadTimePositionals' | 'loadTimeTexts' | 'loadTimeOptions'> {
  const { numbers, texts } = loadTimeUses(program);
  const { declaredOptionList } = require('../functions/getopt') as typeof import('../functions/getopt');
  return { loadTimePositionals: numbers, loadTimeTexts: texts, loadTimeOptions: declaredOptionList(program) };
}

/**
 * max_strlen as a capacity: bpftrace 0.26 counts the characters (max_strlen=5 keeps 5), 0.20's
 * config block and BPFTRACE_STRLEN of 0.17 count the NUL too.
 */
function configStrLen(n: number | undefined, dialect: Dialect): number | undefined {
  if (n === undefined) return undefined;
  return dialect === '0.26' ? Math.min(n + 1, MAX_STRLEN) : n;
}

/** An empty analysis of `program`; errors found on the way go to `diags`, thrown by a later pass. */
export function prepare(program: Program, opts: AnalyzeOptions, diags: DiagnosticBag): Analysis {
  // Nothing but blanks, comments or definitions: bpftrace's parser stops at the end wanting a
  // probe, and so do we, rather than attaching nothing and waiting forever.
  if (program.probes.length === 0) {
    throw new BpfscriptError({ severity: 'ERROR', message: 'unexpected end of file, expected {', span: program.span, hint: 'a program needs at least one probe, e.g. BEGIN { printf("hello\\n"); exit(); }' });
  }
  const { values: config, warnings } = readConfig(program.config, diags);
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
    strLen: opts.strLen ?? configStrLen(config.strLen, opts.dialect ?? DEFAULT_DIALECT) ?? DEFAULT_STRLEN,
    mapKeys: opts.mapKeys ?? config.mapKeys ?? DEFAULT_MAP_KEYS,
    forLoops: new Map(),
    unsafe: opts.unsafe ?? false,
    helperErrors: opts.helperErrors ?? 0,
    namedOptions: new Map(opts.namedOptions ?? []),
    dialect: opts.dialect ?? DEFAULT_DIALECT,
    config,
    ...(config.stackMode ? { stackMode: config.stackMode } : {}),
    ...(config.catBytes !== undefined ? { catBytes: config.catBytes } : {}),
    ...(warnings.length ? { warnings: warnings.map((w) => ({ severity: 'WARNING' as const, ...w })) } : {}),
    ...(opts.loadTimePositionals ? loadTime(program) : {}),
    ...(opts.relocatable ? { relocatable: true } : {}),
  };

  if (!opts.loadTimePositionals) inlinePositionals(program, analysis.positionals);
  scopeVariables(program.probes, analysis.dialect, diags, (message, span, hint) => {
    analysis.warnings = [...(analysis.warnings ?? []), { severity: 'WARNING', message, span, hint }];
  });

  const userBtf = userTypes(program, analysis.positionals);
  useScriptTypes(program.cDefinitions?.length ? scriptTypes(program, diags, userBtf) : userBtf);
  return analysis;
}
