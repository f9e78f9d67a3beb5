// `bpfscript build`: compile once, write one self-contained executable file (./format.ts) that
// `bpfscript run` loads with no parser and no LLVM. What a compile fixes stays fixed: the
// compile-time options (--unsafe, --compat, -k, --include, -I, BPFTRACE_STRLEN,
// BPFTRACE_MAP_KEYS_MAX) are given here; what a run decides (-c, -p, -f, -o, -q, -B) is given to
// `run`.

import { release } from 'node:os';
import type { Program } from '../ast';
import type { CompileOptions } from '../compile';
import { BpfscriptError, error } from '../diagnostics';
import { encode } from './format';
import { writeArtifact } from './file';

/**
 * The first line, so `./tool.bpfa ARGS` runs as `bpfscript run ./tool.bpfa ARGS`. Through env -S
 * (coreutils 8.30+): the file then runs wherever bpfscript is on PATH, as it must on a fleet,
 * rather than only where this copy was installed; `bpfscript run FILE` works without it.
 */
export const SHEBANG = '#!/usr/bin/env -S bpfscript run';

/** What an artifact's header holds besides the ProgramMeta. */
export interface ArtifactInfo {
  /** The script's text and name: diagnostics show its lines, --explain recompiles it. */
  source: string;
  file: string;
  /** Where it was built: offsets and tracepoint layouts are this kernel's until CO-RE covers them. */
  kernel: string;
  builtBy: string;
}

/**
 * Positional parameters are folded into the program as constants and even decide its types
 * ($1 is an integer or a string by its value) and its attach points, so an artifact cannot take
 * them at run time yet; baking the build's would be a silent surprise. Refused, at the first use.
 */
export function refusePositionals(program: Program): void {
  for (const probe of program.probes) {
    for (const ap of probe.attachPoints) {
      if (/\$(\d+|#)/.test(ap.raw)) throw error(`an artifact cannot use positional parameters yet: ${ap.raw}`, ap.span, 'they would be fixed at build time; write the value into the script, or run the script itself');
    }
  }
  const visit = (node: unknown): void => {
    if (Array.isArray(node)) return node.forEach(visit);
    if (!node || typeof node !== 'object') return;
    const n = node as { kind?: string; count?: boolean; index?: number; span?: import('../ast').Span };
    if (n.kind === 'Positional') {
      throw error(`an artifact cannot use positional parameters yet: ${n.count ? '$#' : `$${n.index}`}`, n.span, 'they would be fixed at build time; write the value into the script, or run the script itself');
    }
    for (const [k, v] of Object.entries(node)) if (k !== 'span') visit(v);
  };
  visit(program.probes);
  visit(program.mapDecls);
}

export function build(source: string, opts: CompileOptions, out: string, version: string): { warnings: BpfscriptError['diagnostics'] } {
  const { parse } = require('../../grammar') as typeof import('../../grammar');
  refusePositionals(parse(source, opts.file));
  const { compile } = require('../compile') as typeof import('../compile');
  const gen = compile(source, { ...opts, positionals: [] });
  const info: ArtifactInfo = { source, file: opts.file, kernel: release(), builtBy: version };
  const data = encode({ header: { meta: gen.meta, ...info }, elf: gen.elf }, SHEBANG);
  try {
    writeArtifact(out, data);
  } catch (e) {
    const { errnoWords } = require('../errno-words') as typeof import('../errno-words');
    throw new BpfscriptError({ severity: 'ERROR', message: `cannot write artifact '${out}': ${errnoWords(e as NodeJS.ErrnoException)}` });
  }
  return { warnings: gen.meta.warnings ?? [] };
}
