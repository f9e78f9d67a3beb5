// --explain and -d STAGE: what a script becomes at each stage of the pipeline, for learners.
//   ast       the syntax tree the parser built
//   macros    the program with its imports merged and its macro calls expanded
//   types     the tree with every expression's type; programs; maps and their BPF map types
//   ir        the optimised LLVM IR
//   bpf       each program's BPF instructions under the script line and column they came from
//   verifier  after loading (root): instructions processed, stack depth, JITed size
// Every stage before `verifier` runs without root and without touching the kernel.

import { parse } from '../../grammar';
import { generate } from '../codegen/program';
import { analyze } from '../compile';
import { BpfscriptError, DiagnosticBag, error, renderAll } from '../../common/diagnostics';
import { palette, type Palette } from './colour';
import { listPrograms } from './bpf-listing';
import { renderTree } from './tree';
import { renderTyped } from './typed';
import { renderFigures, verifierFigures } from './verifier-figures';
import { refusedHere } from './refused';

export const STAGES = ['ast', 'macros', 'types', 'ir', 'bpf', 'verifier'] as const;
export type Stage = (typeof STAGES)[number];

export interface ExplainOptions {
  file: string;
  stages: readonly Stage[];
  colour: boolean;
  /** Whether the verifier stage may load programs (root); otherwise it says why it is skipped. */
  canLoad: boolean;
}

const TITLES: Record<Stage, string> = {
  ast: 'AST (what the parser understood)',
  macros: 'Macros expanded (the program the type checker reads)',
  types: 'Types (what the type checker inferred)',
  ir: 'LLVM IR (optimised, before the BPF backend)',
  bpf: 'BPF instructions (with the script position that produced them)',
  verifier: 'Verifier (what the kernel measured when loading)',
};

/** Parses `-d` values: repeated flags and comma lists, each a known stage. */
export function parseStages(values: readonly string[]): Stage[] {
  const out: Stage[] = [];
  for (const v of values.flatMap((x) => x.split(','))) {
    const s = v.trim();
    if (!(STAGES as readonly string[]).includes(s)) {
      throw error(`unknown stage for -d: '${s}'`, undefined, `stages are: ${STAGES.join(', ')}`);
    }
    if (!out.includes(s as Stage)) out.push(s as Stage);
  }
  return out;
}

function heading(p: Palette, s: Stage): string {
  return p.heading(`== ${TITLES[s]} ==`) + '\n';
}

/** Runs the pipeline as far as the stages need and returns their text, in pipeline order. */
export async function explain(source: string, o: ExplainOptions): Promise<string> {
  const p = palette(o.colour);
  const want = new Set(o.stages);
  const parts: string[] = [];
  const section = (s: Stage, body: string) => parts.push(heading(p, s) + body);

  const program = parse(source, o.file);
  if (want.has('ast')) section('ast', renderTree(program, p));
  if (want.has('macros')) section('macros', expandedText(source, o.file) ?? 'nothing to expand: the program imports nothing and calls no macro\n');
  if (!['types', 'ir', 'bpf', 'verifier'].some((s) => want.has(s as Stage))) return parts.join('\n');

  const analysis = analyze(program);
  if (want.has('types')) section('types', renderTyped(analysis, p));
  if (!['ir', 'bpf', 'verifier'].some((s) => want.has(s as Stage))) return parts.join('\n');

  const gen = generate(analysis, { fileName: o.file, source, wantIR: want.has('ir') });
  if (want.has('ir')) section('ir', gen.ir ?? '');
  const listings = listPrograms(gen.elf, source, p);
  if (want.has('bpf')) {
    section('bpf', listings.map((l) => {
      const probe = gen.meta.probes.find((m) => m.progName === l.name)?.name ?? '';
      return `${p.node(l.name)}  ${probe}  ${p.dim(`section ${l.section}, ${l.insnCount} instructions`)}\n${l.text}`;
    }).join('\n'));
  }
  if (want.has('verifier')) {
    if (!o.canLoad) {
      section('verifier', 'skipped: loading programs into the kernel needs root (run with sudo to see the verifier\'s figures)\n');
    } else {
      const refused = await refusedHere(gen);
      if (refused) section('verifier', refused);
      else section('verifier', await figuresOrRejection(gen, source, o.file, listings, p));
    }
  }
  return parts.join('\n');
}

/** The verifier's figures, or, when it refuses the program, its explained rejection under the other stages. */
async function figuresOrRejection(gen: ReturnType<typeof generate>, source: string, file: string, listings: ReturnType<typeof listPrograms>, p: Palette): Promise<string> {
  try {
    return renderFigures(await verifierFigures(gen, [file]), new Map(listings.map((l) => [l.name, l.insnCount])), p);
  } catch (e) {
    if (e instanceof BpfscriptError) return renderAll(e.diagnostics, new Map([[file, source]]));
    throw e;
  }
}

/** The program as the type checker reads it, printed as a script, or null if nothing changed. */
export function expandedText(source: string, file: string): string | null {
  const { resolveImports, expandMacros } = require('../semantic') as typeof import('../semantic');
  const { stdlibMacros } = require('../stdlib') as typeof import('../stdlib');
  const { formatProgram } = require('../fmt') as typeof import('../fmt');
  // A copy of its own: analyze() expands the program the later stages use.
  const program = parse(source, file);
  const before = program.probes;
  const diags = new DiagnosticBag();
  resolveImports(program, diags);
  expandMacros(program, stdlibMacros(), diags);
  diags.throwIfErrors();
  if (program.probes === before) return null;
  return formatProgram({ ...program, imports: [], macros: [], functions: [] });
}
