// The page of a script: it is compiled afresh, whatever the compile cache holds. The cache keeps
// only what a run needs (the ELF and ProgramMeta); the tree, the types and the IR exist only
// during a compile, and a page is made once, so keeping them would slow every cached run's
// lookup for a view that costs one compile (well under a second for a lesson).

import type { CompileOptions } from '../../compile';
import { plain } from '../colour';
import { renderTree } from '../tree';
import { irLines } from './ir-lines';
import { mapRows } from './maps';
import { programViews, verifierView, type PageModel, type Row } from './model';

/** A run's compile options, so the page shows the program that run would load; and whether to load it. */
export interface SourceOptions extends Omit<CompileOptions, 'wantIR'> {
  canLoad: boolean;
}

/** The tree as rows, each linked to its node's line when the node is in the script itself. */
function treeRows(root: import('../../ast').Node, file: string, annotate: (n: import('../../ast').Node) => string | undefined = () => undefined): Row[] {
  // renderTree visits nodes in the order it prints them: one annotate call per line.
  const files: string[] = [];
  const text = renderTree(root, plain, (n) => {
    files.push(n.span.file);
    return annotate(n);
  });
  return text.replace(/\n$/, '').split('\n').map((t, i) => {
    const m = / {2}(\d+):\d+$/.exec(t);
    return m && files[i] === file ? { text: t, line: Number(m[1]) } : { text: t };
  });
}

export async function fromSource(source: string, o: SourceOptions): Promise<PageModel> {
  const { parse } = require('../../../grammar') as typeof import('../../../grammar');
  const { analyze } = require('../../compile') as typeof import('../../compile');
  const { generate } = require('../../codegen/program') as typeof import('../../codegen/program');
  const { LLVMError } = require('../../codegen/llvm') as typeof import('../../codegen/llvm');
  const { typeName } = require('../../type-name') as typeof import('../../type-name');
  const { expandedText } = require('../index') as typeof import('../index');
  const { checkIncludes } = require('../../semantic/includes') as typeof import('../../semantic/includes');
  const program = parse(source, o.file);
  checkIncludes(program, o.file, o.includes, o.includeDirs);
  const ast = treeRows(program, o.file);
  const macros = expandedText(source, o.file) ?? undefined;
  const analysis = analyze(program, { positionals: o.positionals, unsafe: o.unsafe, strLen: o.strLen, mapKeys: o.mapKeys, pid: o.pid, command: o.command, helperErrors: o.helperErrors, dialect: o.dialect, namedOptions: o.namedOptions, probeFilter: o.probeFilter });
  const types = treeRows(analysis.program, o.file, (n) => {
    const t = analysis.types.get(n as import('../../ast').Expr);
    return t ? typeName(t) : undefined;
  });
  const probeVars = analysis.probes.map((ap) => {
    const vars = [...ap.variables].map(([k, t]) => `$${k} ${typeName(t)}`).join(', ');
    return `${ap.progName}  ${ap.expanded.name}  section ${ap.expanded.section}${vars ? `  variables: ${vars}` : ''}`;
  });
  let gen;
  try {
    gen = generate(analysis, { fileName: o.file, source, wantIR: true });
  } catch (e) {
    if (e instanceof LLVMError) {
      const { error } = require('../../../common/diagnostics') as typeof import('../../../common/diagnostics');
      throw error(`code generation failed: ${e.message}`, undefined, 'please report this with the script that caused it');
    }
    throw e;
  }
  return {
    file: o.file,
    source,
    origin: `${o.file}, compiled afresh for this page (the compile cache keeps no IR)`,
    dialect: o.dialect ?? '0.17',
    ast,
    types,
    probeVars,
    ...(macros !== undefined ? { macros } : {}),
    ir: irLines(gen.ir ?? ''),
    absent: [],
    programs: programViews(gen),
    maps: await mapRows(gen),
    verifier: await verifierView(gen, o.file, source, o.canLoad),
  };
}
