// Which bpftrace a run speaks. The language bpfscript accepts is the union of bpftrace 0.17's and
// 0.26's; the dialect decides what the two disagree on: the output's wording and layout, and the
// meaning of constructs that changed (block-scoped variables, bool results). 0.17 stays the
// default while the 0.26 output is being built: it is the one checked byte for byte against a
// real bpftrace on every run of the suite. See spec.md "Dialects".

import { BpfscriptError } from './diagnostics';

export type Dialect = '0.17' | '0.26';

export const DIALECTS: readonly Dialect[] = ['0.17', '0.26'];
export const DEFAULT_DIALECT: Dialect = '0.17';

/** `--compat VERSION` (or BPFSCRIPT_COMPAT): 0.17, 0.26, or a 0.2x in between read as 0.26. */
export function parseDialect(text: string, from: string): Dialect {
  const m = /^v?0\.(\d+)(?:\.\d+)?$/.exec(text.trim());
  const minor = m ? Number(m[1]) : NaN;
  if (minor === 17) return '0.17';
  if (minor >= 18 && minor <= 26) return '0.26';
  throw new BpfscriptError({ severity: 'ERROR', message: `${from}: unknown bpftrace version '${text}'`, hint: `choose one of ${DIALECTS.join(', ')}` });
}

/** The dialect asked for by `--compat` (its value, when given), else BPFSCRIPT_COMPAT; else none. */
export function chosenDialect(flag: string | undefined): Dialect | undefined {
  const text = flag ?? process.env.BPFSCRIPT_COMPAT;
  return text === undefined ? undefined : parseDialect(text, flag !== undefined ? '--compat' : 'BPFSCRIPT_COMPAT');
}
