// `--explain --html FILE`: the teaching view as one self-contained page to explore (model.ts,
// render.ts). From a script it compiles afresh (from-source.ts); from an artifact it shows what the
// artifact carries, loading neither the parser nor LLVM.

import { writeFileSync } from 'node:fs';
import { BpfscriptError } from '../../../common/diagnostics';
import type { PageModel } from './model';
import { renderPage } from './render';

export function writePage(path: string, model: PageModel, version: string): void {
  try {
    writeFileSync(path, renderPage(model, version));
  } catch (e) {
    const { errnoWords } = require('../../../common/errno-words') as typeof import('../../../common/errno-words');
    throw new BpfscriptError({ severity: 'ERROR', message: `cannot write the explain page '${path}': ${errnoWords(e as NodeJS.ErrnoException)}`, hint: 'give --html a path in a writable directory' });
  }
}
