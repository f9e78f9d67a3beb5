// Node construction for the parser's actions: spans from tokens and from child nodes, and the
// decoding of a token's text into a node's fields. Kept apart from the *-rules.ts modules so the
// grammar there reads as grammar.

import type { IToken } from 'chevrotain';
import type * as A from '../src/ast';

type Spanned = IToken | { span: A.Span };

/** The members of a struct, union or enum body, and its closing '}'. */
export interface CMembers {
  fields?: A.CField[];
  enumerators?: A.CEnumerator[];
  close: IToken;
}

const isToken = (x: Spanned): x is IToken => (x as IToken).image !== undefined;

export class AstBuilder {
  constructor(readonly file: string) {}

  /** The span from the start of `first` to the end of `last` (tokens or nodes). */
  span(first: Spanned, last: Spanned = first): A.Span {
    const a = this.edges(first);
    const b = this.edges(last);
    // A token that error recovery inserted has no position, nor has anything built on it: its
    // span keeps no file, which tells index.ts not to report errors about it.
    const file = a.real && b.real ? this.file : '';
    return { file, start: a.start, end: b.end, line: a.line, col: a.col, endLine: b.endLine, endCol: b.endCol };
  }

  private edges(x: Spanned): Omit<A.Span, 'file'> & { real: boolean } {
    if (!isToken(x)) return { ...x.span, real: x.span.file !== '' };
    const real = Number.isFinite(x.startOffset) && Number.isFinite(x.endOffset) && Number.isFinite(x.startLine);
    if (!real) return { start: 0, end: 0, line: 0, col: 0, endLine: 0, endCol: 0, real };
    return {
      start: x.startOffset,
      end: x.endOffset! + 1,
      line: x.startLine!,
      col: x.startColumn!,
      endLine: x.endLine!,
      endCol: x.endColumn!,
      real,
    };
  }

  include(t: IToken): A.Include {
    const p = t.payload as { path: string; system: boolean } | undefined;
    return { kind: 'Include', path: p?.path ?? '', system: p?.system ?? true, span: this.span(t) };
  }

  attachPoint(t: IToken): A.AttachPoint {
    const p = t.payload as { provider: string; parts: string[]; label?: string } | undefined;
    // `raw` is the attach point proper: a probe's name (`probe`, messages) never shows its label.
    const raw = p?.label ? t.image.slice(p.label.length + 1) : t.image;
    return { kind: 'AttachPoint', raw, provider: p?.provider ?? t.image, parts: p?.parts ?? [], span: this.span(t), ...(p?.label ? { label: p.label } : {}) };
  }

  int(t: IToken): A.IntLit {
    return { kind: 'IntLit', value: typeof t.payload === 'bigint' ? t.payload : 0n, raw: t.image, span: this.span(t) };
  }

  /** `(name = value, …)`; an element without a name keeps the name "" for the type check to refuse. */
  record(items: { name: IToken | null; value: A.Expr }[], span: A.Span): A.RecordLit {
    const fields = items.map((i) => ({ name: i.name?.image ?? '', nameSpan: i.name ? this.span(i.name) : i.value.span, value: i.value }));
    return { kind: 'Record', fields, span };
  }

  str(t: IToken): A.StrLit {
    return { kind: 'StrLit', value: typeof t.payload === 'string' ? t.payload : '', span: this.span(t) };
  }

  variable(t: IToken): A.Variable {
    return { kind: 'Variable', name: t.image.slice(1), span: this.span(t) };
  }

  positional(t: IToken): A.Positional {
    const index = typeof t.payload === 'number' ? t.payload : 0;
    return { kind: 'Positional', index, count: t.image === '$#', span: this.span(t) };
  }

  mapRef(name: IToken, keys: A.Expr[], close?: IToken): A.MapRef {
    return { kind: 'MapRef', name: name.image.slice(1), keys, span: this.span(name, close ?? name) };
  }

  binary(op: IToken, left: A.Expr, right: A.Expr): A.Binary {
    return { kind: 'Binary', op: op.image as A.BinaryOp, left, right, span: this.span(left, right) };
  }

  prefix(op: IToken, operand: A.Expr): A.Unary {
    const name = op.image === '++' ? '++pre' : op.image === '--' ? '--pre' : (op.image as A.UnaryOp);
    return { kind: 'Unary', op: name, operand, span: this.span(op, operand) };
  }

  postfix(op: IToken, operand: A.Expr): A.Unary {
    return { kind: 'Unary', op: op.image === '++' ? '++post' : '--post', operand, span: this.span(operand, op) };
  }

  /** Turns `lhs op= rhs` into AssignMap or AssignVar; null when `lhs` cannot be assigned to. */
  assignment(lhs: A.Expr, op: IToken, rhs: A.Expr): A.AssignMap | A.AssignVar | null {
    const compound = op.image === '=' ? null : (op.image.slice(0, -1) as A.BinaryOp);
    const span = this.span(lhs, rhs);
    if (lhs.kind === 'MapRef') return { kind: 'AssignMap', map: lhs, op: compound, value: rhs, span };
    if (lhs.kind === 'Variable') return { kind: 'AssignVar', variable: lhs, op: compound, value: rhs, span };
    return null;
  }

  cDefinition(tag: A.CDefinition['tag'], kw: IToken, name: string, body: CMembers): A.CDefinition {
    return { kind: 'CDefinition', tag, name, fields: body.fields ?? [], enumerators: body.enumerators ?? [], span: this.span(kw, body.close) };
  }

  typeRef(words: IToken[], stars: number, last: IToken, arrayLength: number | null): A.TypeRef {
    const name = words.map((w) => w.image).join(' ');
    return { kind: 'TypeRef', name, pointerDepth: stars, arrayLength, span: this.span(words[0] ?? last, last) };
  }
}

// Results of rules that failed and were recovered from; the program is then rejected anyway, so
// only their shape matters.
export const NO_SPAN: A.Span = { file: '', start: 0, end: 0, line: 0, col: 0, endLine: 0, endCol: 0 };
export const placeholderExpr = (): A.Expr => ({ kind: 'IntLit', value: 0n, span: NO_SPAN });
export const placeholderBlock = (): A.Block => ({ kind: 'Block', stmts: [], span: NO_SPAN });
export const placeholderStmt = (): A.Stmt => ({ kind: 'ExprStmt', expr: placeholderExpr(), span: NO_SPAN });
export const placeholderVariable = (): A.Variable => ({ kind: 'Variable', name: '', span: NO_SPAN });
export const placeholderMapRef = (): A.MapRef => ({ kind: 'MapRef', name: '', keys: [], span: NO_SPAN });
export const placeholderCDefinition = (tag: A.CDefinition['tag']): A.CDefinition => ({ kind: 'CDefinition', tag, name: '', fields: [], enumerators: [], span: NO_SPAN });
export const placeholderType = (): A.TypeRef => ({ kind: 'TypeRef', name: '', pointerDepth: 0, arrayLength: null, span: NO_SPAN });
export const emptyProgram = (): A.Program => ({
  kind: 'Program', includes: [], probes: [], preprocessor: [], cDefinitions: [], config: null, imports: [], mapDecls: [], macros: [], functions: [], span: NO_SPAN,
});
