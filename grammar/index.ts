// The front end's entry point: source text in, AST out, or a BpfscriptError listing every syntax
// error found. chevrotain and the parser are built on the first call only, so programs that never
// parse (`--version`, `-h`) do not pay for them.

import type { IRecognitionException, IToken } from 'chevrotain';
import type { Program, Span } from '../src/ast';
import { BpfscriptError, spanAt, type Diagnostic } from '../common/diagnostics';
import { AstBuilder } from './ast-builder';
import { checkPlacement } from './checks';
import { LineIndex, tokenize } from './lexer';
import { createParser, type BpfParser } from './parser';

/** Past this many, further errors are mostly echoes of the first ones. */
const MAX_ERRORS = 20;

let parser: BpfParser | undefined;

/** Builds the parser now rather than on the first parse(), e.g. to time the two separately. */
export function warmUp(): void {
  parser ??= createParser();
}

export function parse(source: string, file: string): Program {
  try {
    return parseOrThrow(source, file);
  } catch (e) {
    if (e instanceof BpfscriptError) throw e;
    // The parser recurses once per nesting level; thousands of levels exhaust the stack.
    if (e instanceof RangeError) throw new BpfscriptError({ severity: 'ERROR', message: 'the program is nested too deeply to parse', span: spanAt(file, source, 0, 0) });
    // A bug of ours, not the user's: still report it the one way the CLI knows, with the source
    // position unknown.
    const detail = e instanceof Error ? e.message : String(e);
    throw new BpfscriptError({ severity: 'ERROR', message: `internal error in the parser: ${detail}` });
  }
}

function parseOrThrow(source: string, file: string): Program {
  warmUp();
  const p = parser!;
  const lines = new LineIndex(source);
  const lexed = tokenize(source, lines);
  const at = (start: number, end: number): Span => {
    const [line, col] = lines.lineCol(start);
    const [endLine, endCol] = lines.lineCol(Math.max(start, end - 1));
    return { file, start, end, line, col, endLine, endCol };
  };
  const lastToken = lexed.tokens[lexed.tokens.length - 1];

  if (lexed.tooDeep) {
    throw new BpfscriptError(lexed.problems.slice(0, MAX_ERRORS).map((x) => ({ severity: 'ERROR' as const, message: x.message, span: at(x.start, x.end) })));
  }

  p.b = new AstBuilder(file);
  p.extra = [];
  p.input = lexed.tokens;
  const program = p.program();
  if (p.errors.length === 0) p.extra.push(...checkPlacement(program));

  const found: Diagnostic[] = [];
  // Each list is in source order, so the first MAX_ERRORS of the merge come from their heads.
  for (const prob of lexed.problems.slice(0, MAX_ERRORS)) found.push({ severity: 'ERROR', message: prob.message, span: at(prob.start, prob.end) });
  for (const e of p.errors.slice(0, MAX_ERRORS)) found.push({ severity: 'ERROR', message: e.message, span: errorSpan(e, lastToken, at) });
  // An error about a node that recovery made up (it has no file) only echoes an error above.
  for (const x of p.extra) if (x.span.file !== '') found.push({ severity: 'ERROR', message: x.message, span: x.span, ...(x.hint ? { hint: x.hint } : {}) });

  if (found.length > 0) throw new BpfscriptError(dedupe(found).slice(0, MAX_ERRORS));
  program.span = at(0, source.length);
  return program;
}

/** Where a chevrotain error points: its token, or for the end of input, the last token. */
function errorSpan(e: IRecognitionException, last: IToken | undefined, at: (s: number, e: number) => Span): Span {
  const t = e.token;
  if (t && Number.isFinite(t.startOffset) && t.image !== '') return at(t.startOffset, (t.endOffset ?? t.startOffset) + 1);
  if (last) return at(last.startOffset, (last.endOffset ?? last.startOffset) + 1);
  return at(0, 0);
}

/** Sorted by position; one message per position, since recovery can repeat itself. */
function dedupe(ds: Diagnostic[]): Diagnostic[] {
  const seen = new Set<string>();
  return ds
    .map((d, i) => ({ d, i }))
    .sort((a, b) => (a.d.span?.start ?? 0) - (b.d.span?.start ?? 0) || a.i - b.i)
    .map(({ d }) => d)
    .filter((d) => {
      const key = `${d.span?.start}:${d.message}`;
      if (seen.has(key)) return false;
      seen.add(key);
      return true;
    });
}
