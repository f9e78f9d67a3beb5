// `bpfscript build`: compile once, write one self-contained executable file (./format.ts) that
// `bpfscript run` loads with no parser and no LLVM. What a compile fixes stays fixed: the
// compile-time options (--unsafe, --compat, -k, --include, -I, BPFTRACE_STRLEN,
// BPFTRACE_MAP_KEYS_MAX) are given here; what a run decides (-c, -p, -f, -o, -q, -B) and the
// positional parameters are given to `run`.

import { release } from 'node:os';
import type { Program, Span } from '../ast';
import type { CompileOptions } from '../compile';
import { BpfscriptError, error } from '../../common/diagnostics';
import { encode } from './format';
import type { TracepointLayout } from './portability';
import type { DeclaredOption } from '../functions/getopt';
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
  /** Where it was built: tracepoint layouts and the offsets CO-RE does not relocate are this kernel's. */
  kernel: string;
  builtBy: string;
  /** The layouts of the tracepoints the compile read, checked on the running kernel (./portability.ts). */
  tracepoints: TracepointLayout[];
  /** The getopt() options, given at run time (`-- --name=value`); the N-th fills the slot `optN`. */
  options?: DeclaredOption[];
}

const AT_RUN_TIME = 'an artifact reads $1 … $N and $# at run time: as integers, or as text in str($N)';

/**
 * An artifact's positional parameters are given at run time, read by the program from read-only
 * slots filled at load (Analysis.loadTimePositionals): integers, and the text of `str($N)`. Where
 * a script needs one before load (an attach point) or in another form (`str($1 + 2)`), it is
 * refused here, at the use.
 */
export function refuseBuildTimePositionals(program: Program): void {
  for (const probe of program.probes) {
    for (const ap of probe.attachPoints) {
      if (/\$(\d+|#)/.test(ap.raw)) throw error(`an artifact cannot take positional parameters in an attach point: ${ap.raw}`, ap.span, `${AT_RUN_TIME}; the probes are chosen at build`);
    }
  }
  const visit = (node: unknown, inStr: boolean): void => {
    if (Array.isArray(node)) return node.forEach((n) => visit(n, inStr));
    if (!node || typeof node !== 'object') return;
    const n = node as { kind?: string; name?: string; count?: boolean; index?: number; span?: Span; args?: { kind: string; count?: boolean }[] };
    if (n.kind === 'Positional' && inStr) {
      throw error(`an artifact cannot read positional parameters as text except as str(${n.count ? '$#' : `$${n.index}`}) itself`, n.span, AT_RUN_TIME);
    }
    if (n.kind === 'Call' && n.name === 'str') {
      const [src, ...rest] = n.args ?? [];
      // str($N) is read at load; anything else mentioning $N inside str() would need it at build.
      if (src && !(src.kind === 'Positional' && !src.count)) visit(src, true);
      visit(rest, inStr);
      return;
    }
    for (const [k, v] of Object.entries(node)) if (k !== 'span') visit(v, inStr);
  };
  visit(program.probes, false);
}

export function build(source: string, opts: CompileOptions, out: string, version: string): { warnings: BpfscriptError['diagnostics'] } {
  const { parse } = require('../../grammar') as typeof import('../../grammar');
  const program = parse(source, opts.file);
  refuseBuildTimePositionals(program);
  // The same list, in the same order, as the compile's slots (semantic/prepare.ts).
  const options = (require('../functions/getopt') as typeof import('../functions/getopt')).declaredOptionList(program);
  const { compile } = require('../compile') as typeof import('../compile');
  const { recordingReads } = require('../cache/deps') as typeof import('../cache/deps');
  const { tracepointLayouts } = require('./portability') as typeof import('./portability');
  const { result: gen, deps } = recordingReads(() => compile(source, { ...opts, positionals: [], loadTimePositionals: true, relocatable: true }));
  const info: ArtifactInfo = { source, file: opts.file, kernel: release(), builtBy: version, tracepoints: tracepointLayouts(deps), ...(options.length ? { options } : {}) };
  const data = encode({ header: { meta: gen.meta, ...info }, elf: gen.elf }, SHEBANG);
  try {
    writeArtifact(out, data);
  } catch (e) {
    const { errnoWords } = require('../../common/errno-words') as typeof import('../../common/errno-words');
    throw new BpfscriptError({ severity: 'ERROR', message: `cannot write artifact '${out}': ${errnoWords(e as NodeJS.ErrnoException)}` });
  }
  return { warnings: gen.meta.warnings ?? [] };
}
