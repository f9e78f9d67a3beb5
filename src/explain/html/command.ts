// The command line's side of the page: --html belongs to --explain (checked before anything is
// compiled), and the page's path is said once it is written (a learner opens it next).

import { BpfscriptError } from '../../../common/diagnostics';
import type { Dialect } from '../../../common/dialect';
import { err } from '../../../common/stdio';
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

export interface ScriptPageArgs {
  explain: boolean;
  file: string;
  dialect?: Dialect;
  positionals: string[];
  unsafe: boolean;
  includes?: string[];
  includeDirs?: string[];
}

/** `bpfscript --explain --html PAGE SCRIPT`: compiled as a run with these options would compile it. */
export async function pageOfScript(source: string, path: string, version: string, a: ScriptPageArgs): Promise<void> {
  checkPageArgs(path, a.explain);
  const { fromSource } = await import('./from-source');
  const { mapKeysFromEnv } = await import('../../semantic/map-keys');
  const { mayLoad } = await import('../../privileges');
  const model = await fromSource(source, {
    file: a.file,
    ...(a.dialect ? { dialect: a.dialect } : {}),
    positionals: a.positionals,
    unsafe: a.unsafe,
    mapKeys: mapKeysFromEnv(),
    ...(a.includes?.length ? { includes: a.includes } : {}),
    ...(a.includeDirs?.length ? { includeDirs: a.includeDirs } : {}),
    canLoad: mayLoad(),
  });
  explainPage(model, path, version);
}
