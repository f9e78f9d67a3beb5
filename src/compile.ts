// The compiler pipeline, source to ELF: parse → analyze → generate. No kernel access, no root.

import { parse } from '../grammar';
import { generate, type Generated } from './codegen/program';
import { LLVMError } from './codegen/llvm';
import { error } from './diagnostics';
import { analyze } from './semantic/analyze';

export interface CompileOptions {
  file: string;
  wantIR?: boolean;
}

export function compile(source: string, opts: CompileOptions): Generated {
  const program = parse(source, opts.file);
  const analysis = analyze(program);
  try {
    return generate(analysis, { fileName: opts.file, wantIR: opts.wantIR });
  } catch (e) {
    // A malformed module or a backend refusal is our bug or an unsupported construct, not a crash.
    if (e instanceof LLVMError) throw error(`code generation failed: ${e.message}`, undefined, 'please report this with the script that caused it');
    throw e;
  }
}
