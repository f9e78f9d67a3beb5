// What the --explain page shows, as plain data: the stages of one compile, each row carrying the
// script line it came from (the page links rows by that line). Made from a script (compiled afresh,
// with the IR: see fromSource) or from an artifact (what it carries: fromArtifact).

import type { CompiledProgram, ProgramMeta } from '../../compiled';
import type { ProgramFigures } from '../verifier-figures';
import { decodePrograms, type InsnRow } from '../bpf-listing';
import type { IrLine } from './ir-lines';
import { mapRows, type MapRow } from './maps';

export interface Row {
  text: string;
  /** The script line, when the row came from one; AST rows of an imported file have none. */
  line?: number;
}

export interface ProgramView {
  name: string;
  probe: string;
  section: string;
  insnCount: number;
  /** Each instruction with the line of the line-info record in force (a record covers a run). */
  insns: (InsnRow & { first: boolean })[];
}

export interface VerifierView {
  figures?: ProgramFigures[];
  /** Why there are no figures (not root, refused here) or the explained rejection. */
  text?: string;
}

export interface PageModel {
  file: string;
  source: string;
  /** Where the page came from, in words: "compiled from …", "the artifact …". */
  origin: string;
  dialect: string;
  ast?: Row[];
  types?: Row[];
  /** Each program's probe and its $variables with their types. */
  probeVars?: string[];
  macros?: string;
  ir?: IrLine[];
  /** Stages this page lacks, with why (an artifact has no IR). */
  absent: { stage: string; why: string }[];
  programs: ProgramView[];
  maps: MapRow[];
  verifier: VerifierView;
}

/** The instructions of each program, under their probes. */
export function programViews(gen: CompiledProgram): ProgramView[] {
  return decodePrograms(gen.elf).map((p) => {
    let line: number | undefined;
    let col: number | undefined;
    const insns = p.insns.map((i) => {
      // A record of line 0 ends the run of the one before: what follows came from no script line.
      if (i.line === 0) [line, col] = [undefined, undefined];
      const first = !!i.line && (i.line !== line || i.col !== col);
      if (i.line) [line, col] = [i.line, i.col];
      return { ...i, line, col, first };
    });
    return { name: p.name, section: p.section, insnCount: p.insnCount, probe: gen.meta.probes.find((m) => m.progName === p.name)?.name ?? '', insns };
  });
}

/** The verifier's figures when `canLoad` (root), else why not; a rejection is explained, not thrown. */
export async function verifierView(gen: CompiledProgram, file: string, source: string, canLoad: boolean): Promise<VerifierView> {
  if (!canLoad) return { text: "Not loaded: loading programs into the kernel needs root (make the page with sudo to see the verifier's figures)." };
  const { refusedHere } = await import('../refused');
  const refused = await refusedHere(gen);
  if (refused) return { text: refused };
  const { BpfscriptError, renderAll } = await import('../../../common/diagnostics');
  const { verifierFigures } = await import('../verifier-figures');
  try {
    return { figures: await verifierFigures(gen, [file]) };
  } catch (e) {
    if (e instanceof BpfscriptError) return { text: renderAll(e.diagnostics, new Map([[file, source]])) };
    throw e;
  }
}

export interface ArtifactOrigin {
  path: string;
  file: string;
  source: string;
  kernel: string;
  builtBy: string;
}

/**
 * The page of an artifact: its script text, instructions with their line info, maps and, as root,
 * the verifier's figures. No parser and no LLVM: `bpfscript run` must not load them, so the AST,
 * types and IR are left out, and the page says how to see them.
 */
export async function fromArtifact(program: CompiledProgram, a: ArtifactOrigin, canLoad: boolean): Promise<PageModel> {
  const why = `an artifact carries the ELF object and the script, not the compiler's intermediate stages: bpfscript --explain --html PAGE ${a.file} shows them`;
  return {
    file: a.file,
    source: a.source,
    origin: `the artifact ${a.path}, built by ${a.builtBy} on kernel ${a.kernel}`,
    dialect: dialectOf(program.meta),
    absent: ['AST', 'Types', 'LLVM IR'].map((stage) => ({ stage, why })),
    programs: programViews(program),
    maps: await mapRows(program),
    verifier: await verifierView(program, a.file, a.source, canLoad),
  };
}

export function dialectOf(meta: ProgramMeta): string {
  return meta.dialect ?? '0.17';
}
