// The AST printer behind `bpfscript --fmt`: writes a program back as canonical source. Parsing the
// output gives the same AST (spans aside), which test/fmt.test.ts checks for every program it can
// find. Parentheses are printed only where C precedence needs them; strings are re-escaped; integer
// literals keep the form they were written in. Comments are not part of the AST and are not kept.

import type * as A from './ast';
import { decodeSource } from '../common/bytes';
import { PRECEDENCE } from '../grammar/precedence';
import { BpfscriptError } from '../common/diagnostics';

const INDENT = '  ';

// Binding strength of each expression form, above the binary operators' 1..10 of precedence.ts.
const TERNARY = 0;
const UNARY = 11;
const POSTFIX = 12;

export function formatProgram(program: A.Program): string {
  try {
    return new Printer().program(program);
  } catch (e) {
    // The printer recurses once per nesting level, like the parser; the parser refuses deep
    // brackets, but a long run of prefix operators can still nest deeply.
    if (e instanceof RangeError) throw new BpfscriptError({ severity: 'ERROR', message: 'the program is nested too deeply to format', span: program.span });
    throw e;
  }
}

const byStart = (a: { span: A.Span }, b: { span: A.Span }) => a.span.start - b.span.start;

class Printer {
  private depth = 0;

  program(p: A.Program): string {
    const sections: string[] = [];
    const c = [...p.includes, ...p.preprocessor, ...p.cDefinitions].sort(byStart);
    if (c.length > 0) sections.push(c.map((n) => this.cItem(n)).join('\n'));
    const head = [...(p.config ? [p.config] : []), ...p.imports].sort(byStart);
    if (head.length > 0) sections.push(head.map((n) => (n.kind === 'Config' ? this.config(n) : `import ${quote(n.path)};`)).join('\n'));
    const main = [...p.mapDecls, ...p.macros, ...(p.functions ?? []), ...p.probes].sort(byStart);
    for (const n of main) sections.push(n.kind === 'MapDecl' ? this.mapDecl(n) : n.kind === 'Macro' ? this.macro(n) : n.kind === 'Fn' ? this.fn(n) : this.probe(n));
    return sections.length > 0 ? sections.join('\n\n') + '\n' : '';
  }

  private cItem(n: A.Include | A.CPreprocessor | A.CDefinition): string {
    if (n.kind === 'Include') return n.system ? `#include <${n.path}>` : `#include "${n.path}"`;
    if (n.kind === 'CPreprocessor') return n.text;
    return `${this.cDefinition(n)};`;
  }

  private cDefinition(d: A.CDefinition): string {
    const head = d.name ? `${d.tag} ${d.name} {` : `${d.tag} {`;
    this.depth++;
    const body =
      d.tag === 'enum'
        ? d.enumerators.map((e) => `${this.pad()}${e.name}${e.value ? ` = ${this.expr(e.value, TERNARY)}` : ''},`)
        : d.fields.map((f) => `${this.pad()}${this.cField(f)};`);
    this.depth--;
    const attrs = [d.packed ? 'packed' : '', d.aligned ? `aligned(${d.aligned})` : ''].filter(Boolean);
    return [head, ...body, `${this.pad()}}${attrs.length ? ` __attribute__((${attrs.join(', ')}))` : ''}`].join('\n');
  }

  private cField(f: A.CField): string {
    const type = f.inline ? this.cDefinition(f.inline) : f.type.name;
    if (f.name === '') return type;
    const dims = f.arrayLengths.map((n) => `[${n}]`).join('');
    const bits = f.bitWidth !== null ? ` : ${f.bitWidth}` : '';
    return `${type} ${'*'.repeat(f.pointerDepth)}${f.name}${dims}${bits}`;
  }

  private config(c: A.Config): string {
    const lines = c.entries.map((e) => `${INDENT}${e.key} = ${this.expr(e.value, TERNARY)};`);
    return ['config = {', ...lines, '}'].join('\n');
  }

  private mapDecl(m: A.MapDecl): string {
    return `let ${this.mapRef(m.map)} = ${m.mapType}(${m.maxEntries});`;
  }

  private macro(m: A.Macro): string {
    const params = m.params.map((p) => p.sigil + p.name).join(', ');
    return `macro ${m.name}(${params})\n${this.body(m.body.stmts, m.value)}`;
  }

  private fn(f: A.Fn): string {
    const params = f.params.map((p) => `$${p.variable.name}: ${typeText(p.type)}`).join(', ');
    return `fn ${f.name}(${params}): ${typeText(f.returnType)}\n${this.body(f.body.stmts, null)}`;
  }

  private probe(p: A.Probe): string {
    const lines = [p.attachPoints.map((a) => (a.label ? `${a.label}=${a.raw}` : a.raw)).join(',\n')];
    if (p.predicate) {
      const text = this.expr(p.predicate, TERNARY);
      // A leading '*' would open a comment: `/*p == 1/`.
      lines.push(text.startsWith('*') ? `/ ${text} /` : `/${text}/`);
    }
    lines.push(this.body(p.body.stmts, null));
    return lines.join('\n');
  }

  /** `{`, the statements one level deeper, an optional trailing value, `}`. */
  private body(stmts: A.Stmt[], value: A.Expr | null): string {
    const open = '{';
    this.depth++;
    const lines = stmts.map((s) => this.pad() + this.stmt(s));
    if (value) lines.push(this.pad() + this.expr(value, TERNARY));
    this.depth--;
    return [open, ...lines, `${this.pad()}}`].join('\n');
  }

  private pad(): string {
    return INDENT.repeat(this.depth);
  }

  private stmt(s: A.Stmt): string {
    switch (s.kind) {
      case 'ExprStmt':
        return `${this.expr(s.expr, TERNARY)};`;
      case 'AssignMap':
        return `${this.mapRef(s.map)} ${s.op ?? ''}= ${this.expr(s.value, TERNARY)};`;
      case 'AssignVar':
        return `$${s.variable.name} ${s.op ?? ''}= ${this.expr(s.value, TERNARY)};`;
      case 'If': {
        let text = `if (${this.expr(s.cond, TERNARY)}) ${this.body(s.then.stmts, null)}`;
        const other = s.else;
        if (other) {
          const only = other.stmts.length === 1 ? other.stmts[0]! : null;
          text += only?.kind === 'If' ? ` else ${this.stmt(only)}` : ` else ${this.body(other.stmts, null)}`;
        }
        return text;
      }
      case 'While':
        return `while (${this.expr(s.cond, TERNARY)}) ${this.body(s.body.stmts, null)}`;
      case 'Unroll':
        return `unroll (${this.expr(s.count, TERNARY)}) ${this.body(s.body.stmts, null)}`;
      case 'For': {
        const it = s.iterable.kind === 'Range' ? `${this.expr(s.iterable.start, UNARY)}..${this.expr(s.iterable.end, UNARY)}` : this.mapRef(s.iterable);
        return `for ($${s.variable.name} : ${it}) ${this.body(s.body.stmts, null)}`;
      }
      case 'Let': {
        const type = s.type ? ` : ${typeText(s.type)}` : '';
        const value = s.value ? ` = ${this.expr(s.value, TERNARY)}` : '';
        return `let $${s.variable.name}${type}${value};`;
      }
      case 'Jump':
        return s.value ? `return ${this.expr(s.value, TERNARY)};` : `${s.jump};`;
    }
  }

  private mapRef(m: A.MapRef): string {
    return `@${m.name}${m.keys.length > 0 ? `[${m.keys.map((k) => this.expr(k, TERNARY)).join(', ')}]` : ''}`;
  }

  /** `e` printed so that it binds at least as tightly as `min`, in parentheses if need be. */
  private expr(e: A.Expr, min: number): string {
    const [text, strength] = this.exprAt(e);
    return strength < min ? `(${text})` : text;
  }

  private exprAt(e: A.Expr): [string, number] {
    switch (e.kind) {
      case 'IntLit':
        return [e.raw ?? e.value.toString(), POSTFIX];
      case 'StrLit':
        return [quote(e.value), POSTFIX];
      case 'BoolLit':
        return [String(e.value), POSTFIX];
      case 'Builtin':
        return [e.name, POSTFIX];
      case 'Variable':
        return [`$${e.name}`, POSTFIX];
      case 'Positional':
        return [e.count ? '$#' : `$${e.index}`, POSTFIX];
      case 'MapRef':
        return [this.mapRef(e), POSTFIX];
      case 'Call':
        return [`${e.name}${e.bang ? '!' : ''}(${e.args.map((a) => this.expr(a, TERNARY)).join(', ')})`, POSTFIX];
      case 'Tuple':
        return [`(${e.elems.map((a) => this.expr(a, TERNARY)).join(', ')}${e.elems.length === 1 ? ',' : ''})`, POSTFIX];
      case 'Record':
        return [`(${e.fields.map((f) => `${f.name ? `${f.name} = ` : ''}${this.expr(f.value, TERNARY)}`).join(', ')})`, POSTFIX];
      case 'Sizeof':
        return [`sizeof(${e.type ? typeText(e.type) : this.expr(e.operand!, TERNARY)})`, POSTFIX];
      case 'Offsetof':
        return [`offsetof(${typeText(e.type)}, ${e.fields.join('.')})`, POSTFIX];
      case 'BlockExpr':
        return [this.body(e.stmts, e.value), POSTFIX];
      case 'FieldAccess':
        return [`${this.expr(e.target, POSTFIX)}${e.arrow ? '->' : '.'}${e.field}`, POSTFIX];
      case 'TupleAccess':
        return [`${this.expr(e.target, POSTFIX)}.${e.index}`, POSTFIX];
      case 'Index':
        return [`${this.expr(e.target, POSTFIX)}[${this.expr(e.index, TERNARY)}]`, POSTFIX];
      case 'Unary': {
        if (e.op === '++post' || e.op === '--post') return [`${this.expr(e.operand, POSTFIX)}${e.op.slice(0, 2)}`, POSTFIX];
        const op = e.op === '++pre' || e.op === '--pre' ? e.op.slice(0, 2) : e.op;
        let operand = this.expr(e.operand, UNARY);
        // `- -x` must not become `--x`, nor `& &x` become `&&x`.
        if ('+-&'.includes(operand[0]!) && op.endsWith(operand[0]!)) operand = `(${operand})`;
        return [op + operand, UNARY];
      }
      case 'Cast':
        return [`(${typeText(e.type)})${this.expr(e.operand, UNARY)}`, UNARY];
      case 'Binary': {
        const prec = PRECEDENCE[e.op];
        return [`${this.expr(e.left, prec)} ${e.op} ${this.expr(e.right, prec + 1)}`, prec];
      }
      case 'Ternary': {
        const cond = this.expr(e.cond, 1);
        if (e.elvis) return [`${cond} ?: ${this.expr(e.else, TERNARY)}`, TERNARY];
        return [`${cond} ? ${this.expr(e.then, TERNARY)} : ${this.expr(e.else, TERNARY)}`, TERNARY];
      }
    }
  }
}

function typeText(t: A.TypeRef): string {
  const stars = t.pointerDepth > 0 ? ` ${'*'.repeat(t.pointerDepth)}` : '';
  // 0 is `T[]` (a cast's length taken from its value).
  return `${t.name}${stars}${t.arrayLength !== null ? `[${t.arrayLength || ''}]` : ''}`;
}

const ESCAPES: Record<string, string> = { '\\': '\\\\', '"': '\\"', '\n': '\\n', '\t': '\\t', '\r': '\\r' };

/**
 * A string literal that reads back as `value`, a byte string: UTF-8 sequences are shown as their
 * characters, other bytes above 0x7e and control bytes as \\xNN escapes.
 */
export function quote(value: string): string {
  let out = '"';
  for (const ch of decodeSource(Buffer.from(value, 'latin1'))) {
    const code = ch.codePointAt(0)!;
    if (ESCAPES[ch]) out += ESCAPES[ch];
    else if (code < 0x20 || code === 0x7f) out += `\\x${code.toString(16).padStart(2, '0')}`;
    else if (code >= 0xdc80 && code <= 0xdcff) out += `\\x${(code - 0xdc00).toString(16).padStart(2, '0')}`;
    else out += ch;
  }
  return out + '"';
}
