// The lexer. It is hand-written rather than a chevrotain Lexer because what a character means
// depends on where it is, in ways regular-expression modes express badly:
//   - at the top level a word is an attach point (`uprobe:/bin/bash:readline`), not an identifier;
//   - a '/' opens a predicate at the top level, and inside one, a '/' followed by '{' or '<' (or the
//     end) closes it, while any other '/' divides (`BEGIN /pid / 2 == 1/ { }` is legal bpftrace);
//   - an action block may be written `< ... >`; inside one, a '>' right after ';' or '}' (or right
//     after the '<') closes the block, since no comparison can start there;
//   - the top-level declarations (`config = {…}`, `import "f";`, `let @m = hash(N);`,
//     `macro f(…) {…}`, C `struct s {…}`) hold ordinary tokens, up to their ';' or closing '}';
//   - a '#' line at the top level is a C preprocessor line, taken whole.
// It emits chevrotain tokens (types from tokens.ts), so the parser is an ordinary chevrotain parser.
// A lexical error is recorded and skipped over, so one typo does not hide the errors after it.

import type { IToken, TokenType } from 'chevrotain';
import { isAttachPointStart, scanAttachPoint } from './attach-points';
import { scanInteger, scanString, type LiteralProblem } from './literals';
import { KEYWORDS, TYPE_NAMES, tokens, type Tokens } from './tokens';

export interface LexResult {
  tokens: IToken[];
  problems: LiteralProblem[];
  /** Brackets nest deeper than MAX_NESTING: the parser must not be run on these tokens. */
  tooDeep: boolean;
}

/**
 * Deeper bracket nesting is refused before parsing. Real programs stay far below it; beyond it the
 * parser's recursion, and chevrotain's error recovery that walks the whole rule stack per error,
 * get slow and finally overflow the stack.
 */
export const MAX_NESTING = 64;

const enum Ctx {
  Top,
  Predicate,
  Braces,
  Angles,
  /** A top-level declaration that ends at its ';'. */
  DeclToSemi,
  /** A top-level declaration that ends at the '}' closing its first '{'. */
  DeclToBrace,
  /** `__attribute__((…))` after a struct: ends at the ')' closing its first '('. */
  DeclToParen,
  /** Parentheses inside DeclToParen. */
  Parens,
}

/** Top-level words that open a declaration rather than an attach point, and how it ends. */
const DECLARATIONS: ReadonlyMap<string, { token: keyof Tokens; ends: Ctx }> = new Map([
  ['config', { token: 'Config', ends: Ctx.DeclToBrace }],
  ['import', { token: 'Import', ends: Ctx.DeclToSemi }],
  ['macro', { token: 'Macro', ends: Ctx.DeclToBrace }],
  ['fn', { token: 'Fn', ends: Ctx.DeclToBrace }],
  ['let', { token: 'Let', ends: Ctx.DeclToSemi }],
  ['struct', { token: 'Struct', ends: Ctx.DeclToBrace }],
  ['union', { token: 'Union', ends: Ctx.DeclToBrace }],
  ['enum', { token: 'Enum', ends: Ctx.DeclToBrace }],
  ['__attribute__', { token: 'Identifier', ends: Ctx.DeclToParen }],
] as [string, { token: keyof Tokens; ends: Ctx }][]);

/** Maps offsets to 1-based line and column. */
export class LineIndex {
  private readonly starts: number[] = [0];
  constructor(src: string) {
    for (let i = 0; i < src.length; i++) if (src.charCodeAt(i) === 10) this.starts.push(i + 1);
  }
  lineCol(offset: number): [number, number] {
    let lo = 0;
    let hi = this.starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.starts[mid]! <= offset) lo = mid;
      else hi = mid - 1;
    }
    return [lo + 1, offset - this.starts[lo]! + 1];
  }
}

// Longest first, so '<<=' wins over '<<' and '<'.
const OPERATORS: [string, keyof Tokens][] = [
  ['<<=', 'CompoundAssign'], ['>>=', 'CompoundAssign'],
  ['->', 'Arrow'], ['++', 'PlusPlus'], ['--', 'MinusMinus'],
  ['+=', 'CompoundAssign'], ['-=', 'CompoundAssign'], ['*=', 'CompoundAssign'], ['/=', 'CompoundAssign'],
  ['%=', 'CompoundAssign'], ['&=', 'CompoundAssign'], ['|=', 'CompoundAssign'], ['^=', 'CompoundAssign'],
  ['..', 'DotDot'],
  ['<<', 'Shl'], ['>>', 'Shr'], ['<=', 'LessEq'], ['>=', 'GreaterEq'], ['==', 'EqEq'], ['!=', 'NotEq'],
  ['&&', 'AndAnd'], ['||', 'OrOr'],
  ['+', 'Plus'], ['-', 'Minus'], ['*', 'Star'], ['/', 'Slash'], ['%', 'Percent'], ['&', 'Amp'], ['|', 'Pipe'],
  ['^', 'Caret'], ['~', 'Tilde'], ['!', 'Bang'], ['<', 'Less'], ['>', 'Greater'], ['=', 'Assign'],
  ['?', 'Question'], [':', 'Colon'], [';', 'Semi'], [',', 'Comma'], ['.', 'Dot'], ['(', 'LParen'],
  [')', 'RParen'], ['[', 'LBracket'], [']', 'RBracket'], ['{', 'LCurly'], ['}', 'RCurly'],
];

const isWordStart = (c: string | undefined) => c !== undefined && /[A-Za-z_]/.test(c);
const isWordChar = (c: string | undefined) => c !== undefined && /[A-Za-z0-9_]/.test(c);
const isDigit = (c: string | undefined) => c !== undefined && c >= '0' && c <= '9';
const isSpace = (c: string | undefined) => c === ' ' || c === '\t' || c === '\n' || c === '\r' || c === '\f' || c === '\v';

class Scanner {
  private readonly T = tokens();
  private readonly keywords: ReadonlyMap<string, TokenType>;
  readonly out: IToken[] = [];
  readonly problems: LiteralProblem[] = [];
  private readonly ctx: Ctx[] = [Ctx.Top];
  private pos = 0;
  private depth = 0;
  tooDeep = false;

  constructor(
    private readonly src: string,
    private readonly lines: LineIndex,
  ) {
    const T = this.T as unknown as Record<string, TokenType>;
    this.keywords = new Map(KEYWORDS.map((w) => [w, T[w[0]!.toUpperCase() + w.slice(1)]!]));
  }

  run(): void {
    const src = this.src;
    if (src.startsWith('#!')) this.skipLine();
    while (!this.tooDeep && this.skipTrivia()) {
      const here = this.ctx[this.ctx.length - 1]!;
      if (here === Ctx.Top) this.topLevel();
      else this.inner(here);
    }
  }

  private skipLine(): void {
    const nl = this.src.indexOf('\n', this.pos);
    this.pos = nl < 0 ? this.src.length : nl;
  }

  /** Skips whitespace and comments; false at the end of input. */
  private skipTrivia(): boolean {
    const src = this.src;
    for (;;) {
      const c = src[this.pos];
      if (c === undefined) return false;
      if (isSpace(c)) this.pos++;
      else if (c === '/' && src[this.pos + 1] === '/') this.skipLine();
      else if (c === '/' && src[this.pos + 1] === '*') {
        const close = src.indexOf('*/', this.pos + 2);
        if (close < 0) {
          this.problems.push({ message: 'unterminated comment', start: this.pos, end: src.length });
          this.pos = src.length;
          return false;
        }
        this.pos = close + 2;
      } else return true;
    }
  }

  private emit(type: TokenType, start: number, end: number, payload?: unknown): void {
    const [startLine, startColumn] = this.lines.lineCol(start);
    const [endLine, endColumn] = this.lines.lineCol(Math.max(start, end - 1));
    const c = this.src.charCodeAt(start);
    if (c === 0x28 || c === 0x5b || c === 0x7b || type === this.T.AngleOpen) {
      if (++this.depth > MAX_NESTING) {
        this.problems.push({ message: `brackets are nested more than ${MAX_NESTING} deep`, start, end });
        this.tooDeep = true;
      }
    } else if ((c === 0x29 || c === 0x5d || c === 0x7d || type === this.T.AngleClose) && this.depth > 0) {
      this.depth--;
    }
    this.out.push({
      image: this.src.slice(start, end),
      startOffset: start,
      endOffset: end - 1,
      startLine,
      startColumn,
      endLine,
      endColumn,
      tokenType: type,
      tokenTypeIdx: type.tokenTypeIdx!,
      payload,
    });
    this.pos = end;
  }

  private topLevel(): void {
    const T = this.T;
    const src = this.src;
    const start = this.pos;
    const c = src[start]!;
    if (this.declaration(start)) return;
    if (isAttachPointStart(src.charCodeAt(start))) {
      const ap = scanAttachPoint(src, start);
      if (ap.unterminatedQuote !== undefined) {
        this.problems.push({ message: 'unterminated string in attach point', start: ap.unterminatedQuote, end: ap.end });
      }
      this.emit(T.AttachPoint, start, ap.end, { provider: ap.provider, parts: ap.parts, ...(ap.label ? { label: ap.label } : {}) });
    } else if (c === '#') {
      this.include();
    } else if (c === '/') {
      this.ctx.push(Ctx.Predicate);
      this.emit(T.PredSlash, start, start + 1);
    } else if (c === '<') {
      this.ctx.push(Ctx.Angles);
      this.emit(T.AngleOpen, start, start + 1);
    } else {
      this.inner(Ctx.Top);
    }
  }

  /** A word opening a top-level declaration: emits it and enters the declaration's context. */
  private declaration(start: number): boolean {
    const src = this.src;
    let end = start;
    while (isWordChar(src[end])) end++;
    const decl = DECLARATIONS.get(src.slice(start, end));
    if (!decl) return false;
    this.ctx.push(decl.ends);
    this.emit(this.T[decl.token], start, end);
    return true;
  }

  /** `#include <file>` or `#include "file"`, or another preprocessor line taken verbatim. */
  private include(): void {
    const src = this.src;
    const start = this.pos;
    const m = /#include[ \t]*(?:<([^>\n]*)>|"([^"\n]*)")/y;
    m.lastIndex = start;
    const found = m.exec(src);
    if (!found) {
      const word = /#[ \t]*[A-Za-z_]*/y;
      word.lastIndex = start;
      const w = word.exec(src)![0];
      if (w.replace(/[ \t]/g, '') === '#include' || w.trim() === '#') {
        const message = w.trim() === '#' ? "expected a preprocessor directive after '#'" : "expected <file> or \"file\" after '#include'";
        this.problems.push({ message, start, end: start + Math.max(1, w.length) });
        this.skipLine();
        return;
      }
      this.preprocessorLine(start);
      return;
    }
    const system = found[1] !== undefined;
    this.emit(this.T.Include, start, m.lastIndex, { path: system ? found[1] : found[2], system });
  }

  /** `#define X 1`, `#ifndef X` …: to the end of the line, lines ending in '\\' continued. */
  private preprocessorLine(start: number): void {
    const src = this.src;
    let end = start;
    for (;;) {
      const nl = src.indexOf('\n', end);
      if (nl < 0) {
        end = src.length;
        break;
      }
      const line = src.slice(end, nl).replace(/\r$/, '');
      if (!line.endsWith('\\')) {
        end = nl;
        break;
      }
      end = nl + 1;
    }
    let stop = end;
    while (stop > start && isSpace(src[stop - 1])) stop--;
    this.emit(this.T.Preprocessor, start, stop, src.slice(start, stop));
    this.pos = end;
  }

  /** Tokens of statements and expressions (and stray ones at the top level). */
  private inner(here: Ctx): void {
    const T = this.T;
    const src = this.src;
    const start = this.pos;
    const c = src[start]!;

    if (isDigit(c)) {
      const n = scanInteger(src, start);
      if (n.problem) this.problems.push(n.problem);
      this.emit(T.Int, start, n.end, n.value);
      return;
    }
    if (c === '"') {
      const s = scanString(src, start);
      this.problems.push(...s.problems);
      this.emit(T.String, start, s.end, s.value);
      return;
    }
    if (isWordStart(c)) {
      let end = start + 1;
      while (isWordChar(src[end])) end++;
      const word = src.slice(start, end);
      const type = this.keywords.get(word) ?? (TYPE_NAMES.has(word) ? T.TypeName : T.Identifier);
      this.emit(type, start, end);
      return;
    }
    if (c === '$') {
      let end = start + 1;
      if (src[end] === '#') {
        this.emit(T.Positional, start, end + 1, 0);
      } else if (isDigit(src[end])) {
        while (isDigit(src[end])) end++;
        this.emit(T.Positional, start, end, Number(src.slice(start + 1, end)));
      } else if (isWordStart(src[end])) {
        while (isWordChar(src[end])) end++;
        this.emit(T.Variable, start, end);
      } else {
        // Still a variable, with no name, so the statement around it parses and the one error
        // reported is this one.
        this.problems.push({ message: "expected a variable name after '$'", start, end: start + 1 });
        this.emit(T.Variable, start, end);
      }
      return;
    }
    if (c === '@') {
      let end = start + 1;
      if (isWordStart(src[end])) while (isWordChar(src[end])) end++;
      this.emit(T.MapName, start, end);
      return;
    }
    if (here === Ctx.Predicate && c === '/' && this.closesPredicate(start + 1)) {
      this.ctx.pop();
      this.emit(T.PredSlash, start, start + 1);
      return;
    }
    if (here === Ctx.Angles && c === '>') {
      const prev = this.out[this.out.length - 1]?.tokenType;
      if (prev === T.Semi || prev === T.RCurly || prev === T.AngleOpen) {
        this.ctx.pop();
        this.emit(T.AngleClose, start, start + 1);
        return;
      }
    }
    for (const [text, name] of OPERATORS) {
      if (!src.startsWith(text, start)) continue;
      const type = T[name];
      if (type === T.LCurly) {
        // A '{' inside a predicate means its closing '/' is missing: the block has begun anyway.
        if (here === Ctx.Predicate) this.ctx.pop();
        this.ctx.push(Ctx.Braces);
      } else if (type === T.RCurly && here === Ctx.Braces) {
        this.ctx.pop();
        if (this.ctx[this.ctx.length - 1] === Ctx.DeclToBrace) this.ctx.pop();
      } else if (type === T.Semi && here === Ctx.DeclToSemi) {
        this.ctx.pop();
      } else if (type === T.LParen && (here === Ctx.DeclToParen || here === Ctx.Parens)) {
        this.ctx.push(Ctx.Parens);
      } else if (type === T.RParen && here === Ctx.Parens) {
        this.ctx.pop();
        if (this.ctx[this.ctx.length - 1] === Ctx.DeclToParen) this.ctx.pop();
      }
      this.emit(type, start, start + text.length);
      return;
    }
    const ch = String.fromCodePoint(src.codePointAt(start)!);
    this.problems.push({ message: `invalid character '${ch}'`, start, end: start + ch.length });
    this.pos = start + ch.length;
  }

  /** A predicate's closing '/' is followed by the action block or by nothing at all. */
  private closesPredicate(from: number): boolean {
    const src = this.src;
    let i = from;
    for (;;) {
      while (isSpace(src[i])) i++;
      if (src.startsWith('//', i)) {
        const nl = src.indexOf('\n', i);
        if (nl < 0) return true;
        i = nl;
      } else if (src.startsWith('/*', i)) {
        const close = src.indexOf('*/', i + 2);
        if (close < 0) return true;
        i = close + 2;
      } else break;
    }
    return i >= src.length || src[i] === '{' || src[i] === '<';
  }
}

export function tokenize(src: string, lines: LineIndex = new LineIndex(src)): LexResult {
  const s = new Scanner(src, lines);
  s.run();
  return { tokens: s.out, problems: s.problems, tooDeep: s.tooDeep };
}
