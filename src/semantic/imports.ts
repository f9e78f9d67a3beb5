// `import "file.bt";` (bpftrace 0.25+): the probes, macros and map declarations of another script
// join the program. A path is relative to the directory of the script that imports it (the
// working directory for -e); a directory imports every .bt file in it. Each file is imported once,
// so an import cycle simply ends. As bpftrace does, nothing is read from a world-writable place,
// and an imported script has no config block of its own.

import { statSync } from 'node:fs';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import type { Import, Program } from '../ast';
import { registerSource, type DiagnosticBag } from '../../common/diagnostics';
import { host } from '../../common/kernel/host';

export function resolveImports(program: Program, diags: DiagnosticBag): void {
  if (!program.imports?.length) return;
  const { parse } = require('../../grammar') as typeof import('../../grammar');
  const root = program.span.file;
  const done = new Set<string>(root === 'stdin' ? [] : [resolve(root)]);
  // What the imported scripts bring, a script's own imports before it: bpftrace runs the BEGIN
  // probes of what a script depends on first.
  const got: Pick<Program, 'probes' | 'macros' | 'mapDecls' | 'includes' | 'cDefinitions'> = { probes: [], macros: [], mapDecls: [], includes: [], cDefinitions: [] };

  const load = (imp: Import, display: string) => {
    const abs = resolve(display);
    if (done.has(abs)) return;
    done.add(abs);
    let text: string;
    try {
      text = host().readFile(abs).toString('utf8');
    } catch (e) {
      diags.error(`error reading import '${display}': ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`, imp.span);
      return;
    }
    registerSource(display, text);
    const lib = parse(text, display);
    if (lib.config) diags.error('invalid `config` within import', lib.config.span, 'only the main script may have a config block');
    for (const i of lib.imports) importOne(i, dirname(display));
    got.probes.push(...lib.probes);
    got.macros.push(...lib.macros);
    got.mapDecls.push(...lib.mapDecls);
    got.includes.push(...lib.includes);
    got.cDefinitions.push(...lib.cDefinitions);
  };

  const importOne = (imp: Import, dir: string) => {
    const display = isAbsolute(imp.path) ? imp.path : join(dir, imp.path);
    const mode = modeOf(display);
    if (mode === null) {
      diags.error('Unable to find suitable path for import', imp.span, `checked: ${display}`);
    } else if (worldWritable(display, mode)) {
      diags.error(`cowardly refusing to import from a directory with global write permissions: "${display}"`, imp.span);
    } else if ((mode & 0o170000) === 0o040000) {
      for (const name of host().listDir(resolve(display)).sort()) {
        if (name.endsWith('.bt')) load(imp, join(display, name));
      }
    } else if (display.endsWith('.bt')) {
      load(imp, display);
    } else if (display.endsWith('.h') || display.endsWith('.c') || display.endsWith('.o')) {
      diags.error(`importing C and object files is not supported yet: ${display}`, imp.span, 'import .bt scripts, or #include a header');
    } else {
      diags.error(`unknown import type: "${display.split('/').pop()}"`, imp.span, 'import a .bt script or a directory of them');
    }
  };

  for (const imp of program.imports) importOne(imp, baseDir(root));
  program.probes = [...got.probes, ...program.probes];
  program.macros = [...got.macros, ...program.macros];
  program.mapDecls = [...got.mapDecls, ...program.mapDecls];
  program.includes = [...got.includes, ...program.includes];
  program.cDefinitions = [...got.cDefinitions, ...program.cDefinitions];
}

function baseDir(file: string): string {
  return file === 'stdin' ? '.' : dirname(file);
}

function modeOf(path: string): number | null {
  try {
    return statSync(path).mode;
  } catch {
    return null;
  }
}

function worldWritable(path: string, mode: number): boolean {
  const parent = modeOf(dirname(path)) ?? 0;
  return (mode & 0o002) !== 0 || (parent & 0o002) !== 0;
}
