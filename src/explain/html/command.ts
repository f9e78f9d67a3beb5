// The command line's side of the page: --html belongs to --explain (checked before anything is
// compiled), and the page's path is said once it is written (a learner opens it next).

import { BpfscriptError } from '../../diagnostics';
import { err } from '../../stdio';
import type { PageModel } from './model';
import { writePage } from './index';

export function checkPageArgs(path: string, explain: boolean): void {
  if (!explain) throw new BpfscriptError({ severity: 'ERROR', message: '--html needs --explain', hint: `--explain --html ${path || 'PAGE.html'} writes the explain page` });
  if (path === '') throw new BpfscriptError({ severity: 'ERROR', message: '--html needs a file name', hint: '--explain --html PAGE.html' });
}

export function explainPage(model: PageModel, path: string, version: string): void {
  writePage(path, model, version);
  err(`explain page written to ${path}: open it in a browser\n`);
}
