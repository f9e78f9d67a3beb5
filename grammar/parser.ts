// The grammar: a chevrotain embedded-actions parser over the tokens of lexer.ts, building the AST of
// src/ast.ts as it goes. Expressions follow C's precedence and associativity.
// Node construction sits inside ACTION(...) because chevrotain runs every rule once, with dummy
// tokens, to record the grammar, and the actions must not run then.
// Binary operators are one flat rule (see precedence.ts) to keep the rule stack shallow.
// Error recovery is on: a failed rule resynchronises on what can follow it (typically ';' or '}'),
// so one program can report several syntax errors; the AST of a program with errors is discarded.

import type { IToken, TokenType } from 'chevrotain';
import type * as A from '../src/ast';
import { AstBuilder, emptyProgram, NO_SPAN, placeholderBlock, placeholderExpr, placeholderType } from './ast-builder';
import { chevrotain } from './chevrotain';
import { messageProvider } from './errors';
import { climb } from './precedence';
import { allTokenTypes, tokens } from './tokens';

/** An error the grammar accepts but the language does not (`;;`, `1 = 2`). */
export interface SemanticSyntaxError {
  message: string;
  span: A.Span;
  hint?: string;
}

/** What each program section must precede (index: the section of the misplaced item). */
const SECTION_AFTER = [
  'config, imports, probes, macros and map declarations',
  'probes, macros and map declarations',
  '',
];

/** The map types `let @m = TYPE(N);` may name. */
export const MAP_TYPES = ['hash', 'lruhash', 'percpuhash', 'percpulruhash'];

const AFTER_STATEMENT_BRACES = "!expected ';' or '}' after a statement";
const AFTER_STATEMENT_ANGLES = "!expected ';' after a statement in a '< >' block";

interface StmtList {
  stmts: A.Stmt[];
  trailing: boolean;
}

export function createParser(validate = false) {
  const chev = chevrotain();
  const T = tokens();

  class BpfParser extends chev.EmbeddedActionsParser {
    b = new AstBuilder('');
    extra: SemanticSyntaxError[] = [];

    constructor() {
      super(allTokenTypes(), {
        recoveryEnabled: true,
        maxLookahead: 2,
        // chevrotain's grammar checks (ambiguities, left recursion) cost startup time; a test runs
        // them once with createParser(true).
        skipValidations: !validate,
        errorMessageProvider: messageProvider,
      });
      this.performSelfAnalysis();
    }

    /**
     * The sections come in bpftrace's order: C definitions (preprocessor lines, `struct`s), then
     * `config` and `import`s, then probes, macros and map declarations in any order. The grammar
     * takes them in any order and the actions report what is out of place, which gives a clearer
     * message than a syntax error would.
     */
    program = this.RULE(
      'program',
      (): A.Program => {
        const prog = emptyProgram();
        let section = 0;
        const place = (node: { span: A.Span }, at: number, what: string) => {
          if (at < section) this.extra.push({ message: `${what} must come before ${SECTION_AFTER[at]}`, span: node.span });
          section = Math.max(section, at);
        };
        this.MANY(() =>
          this.OR([
            {
              ALT: () => {
                const t = this.CONSUME(T.Include);
                this.ACTION(() => {
                  const inc = this.b.include(t);
                  place(inc, 0, "'#include'");
                  prog.includes.push(inc);
                });
              },
            },
            {
              ALT: () => {
                const t = this.CONSUME(T.Preprocessor);
                this.ACTION(() => {
                  const pp: A.CPreprocessor = { kind: 'CPreprocessor', text: String(t.payload ?? t.image), span: this.b.span(t) };
                  place(pp, 0, 'a preprocessor line');
                  prog.preprocessor.push(pp);
                });
              },
            },
            {
              ALT: () => {
                const d = this.OR2([{ ALT: () => this.SUBRULE(this.structDef) }, { ALT: () => this.SUBRULE(this.enumDef) }]);
                this.OPTION(() => this.CONSUME(T.Semi));
                this.ACTION(() => {
                  if (d.name === '') this.extra.push({ message: `a top-level ${d.tag} definition needs a name`, span: d.span });
                  place(d, 0, `a ${d.tag} definition`);
                  prog.cDefinitions.push(d);
                });
              },
            },
            {
              ALT: () => {
                const c = this.SUBRULE(this.config);
                this.ACTION(() => {
                  place(c, 1, 'the config block');
                  if (prog.config) this.extra.push({ message: 'only one config block is allowed', span: c.span });
                  else prog.config = c;
                });
              },
            },
            {
              ALT: () => {
                const i = this.SUBRULE(this.importDecl);
                this.ACTION(() => {
                  place(i, 1, "'import'");
                  prog.imports.push(i);
                });
              },
            },
            {
              ALT: () => {
                const m = this.SUBRULE(this.mapDecl);
                this.ACTION(() => {
                  place(m, 2, 'a map declaration');
                  prog.mapDecls.push(m);
                });
              },
            },
            {
              ALT: () => {
                const m = this.SUBRULE(this.macroDef);
                this.ACTION(() => {
                  place(m, 2, 'a macro');
                  prog.macros.push(m);
                });
              },
            },
            {
              ALT: () => {
                const p = this.SUBRULE(this.probe);
                this.ACTION(() => {
                  place(p, 2, 'a probe');
                  prog.probes.push(p);
                });
              },
            },
          ]),
        );
        return prog;
      },
      { recoveryValueFunc: emptyProgram },
    );

    /** `config = { key = value; … }` */
    config = this.RULE(
      'config',
      (): A.Config => {
        const kw = this.CONSUME(T.Config);
        this.CONSUME(T.Assign);
        this.CONSUME(T.LCurly);
        const entries: A.ConfigEntry[] = [];
        this.MANY(() => {
          const key = this.CONSUME(T.FieldName);
          this.CONSUME2(T.Assign);
          const value = this.SUBRULE(this.expr);
          this.ACTION(() => entries.push({ kind: 'ConfigEntry', key: key.image, value, span: this.b.span(key, value) }));
          this.OR({
            DEF: [{ ALT: () => this.CONSUME(T.Semi) }, { GATE: () => this.LA(1).tokenType === T.RCurly, ALT: () => undefined }],
            ERR_MSG: "!expected ';' or '}' after a config setting",
          });
        });
        const close = this.CONSUME(T.RCurly);
        let last: IToken = close;
        this.OPTION(() => (last = this.CONSUME2(T.Semi)));
        return this.ACTION((): A.Config => ({ kind: 'Config', entries, span: this.b.span(kw, last) }));
      },
      { recoveryValueFunc: (): A.Config => ({ kind: 'Config', entries: [], span: NO_SPAN }) },
    );

    /** `import "path";` */
    importDecl = this.RULE(
      'importDecl',
      (): A.Import => {
        const kw = this.CONSUME(T.Import);
        const path = this.CONSUME(T.String);
        const semi = this.CONSUME(T.Semi);
        return this.ACTION((): A.Import => ({ kind: 'Import', path: String(path.payload ?? ''), span: this.b.span(kw, semi) }));
      },
      { recoveryValueFunc: (): A.Import => ({ kind: 'Import', path: '', span: NO_SPAN }) },
    );

    /** `let @name = hash(N);` */
    mapDecl = this.RULE(
      'mapDecl',
      (): A.MapDecl => {
        const kw = this.CONSUME(T.Let);
        const name = this.CONSUME(T.MapName);
        this.CONSUME(T.Assign);
        const type = this.CONSUME(T.Identifier);
        this.CONSUME(T.LParen);
        const size = this.CONSUME(T.Int);
        this.CONSUME(T.RParen);
        const semi = this.CONSUME(T.Semi);
        return this.ACTION((): A.MapDecl => {
          if (!MAP_TYPES.includes(type.image)) {
            this.extra.push({ message: `unknown map type '${type.image}'`, span: this.b.span(type), hint: `map types: ${MAP_TYPES.join(', ')}` });
          }
          const maxEntries = typeof size.payload === 'bigint' ? size.payload : 0n;
          if (maxEntries === 0n) this.extra.push({ message: 'a map needs room for at least one entry', span: this.b.span(size) });
          return { kind: 'MapDecl', map: this.b.mapRef(name, []), mapType: type.image, maxEntries, span: this.b.span(kw, semi) };
        });
      },
      {
        recoveryValueFunc: (): A.MapDecl => ({
          kind: 'MapDecl', map: { kind: 'MapRef', name: '', keys: [], span: NO_SPAN }, mapType: '', maxEntries: 0n, span: NO_SPAN,
        }),
      },
    );

    /** `macro name($a, b, @m) { stmts; value }`; the parameter list may be left out. */
    macroDef = this.RULE(
      'macroDef',
      (): A.Macro => {
        const kw = this.CONSUME(T.Macro);
        const name = this.CONSUME(T.Identifier);
        const params: A.MacroParam[] = [];
        this.OPTION(() => {
          this.CONSUME(T.LParen);
          this.MANY_SEP({
            SEP: T.Comma,
            DEF: () => {
              const t = this.OR({
                DEF: [{ ALT: () => this.CONSUME(T.Variable) }, { ALT: () => this.CONSUME2(T.Identifier) }, { ALT: () => this.CONSUME(T.MapName) }],
                ERR_MSG: "a parameter: '$var', 'name' or '@map'",
              });
              this.ACTION(() => {
                const sigil = t.image[0] === '$' || t.image[0] === '@' ? (t.image[0] as '$' | '@') : '';
                if (sigil === '@' && t.image.length === 1) this.extra.push({ message: 'a macro parameter needs a name', span: this.b.span(t) });
                params.push({ kind: 'MacroParam', sigil, name: sigil ? t.image.slice(1) : t.image, span: this.b.span(t) });
              });
            },
          });
          this.CONSUME(T.RParen);
        });
        const body = this.SUBRULE(this.valueBlock);
        return this.ACTION((): A.Macro => ({
          kind: 'Macro',
          name: name.image,
          nameSpan: this.b.span(name),
          params,
          body: { kind: 'Block', stmts: body.stmts, span: body.span },
          value: body.value,
          span: this.b.span(kw, body),
        }));
      },
      { recoveryValueFunc: (): A.Macro => ({ kind: 'Macro', name: '', nameSpan: NO_SPAN, params: [], body: placeholderBlock(), value: null, span: NO_SPAN }) },
    );

    /** `{ stmts }` whose last statement, an expression without ';', is the block's value. */
    valueBlock = this.RULE(
      'valueBlock',
      (): A.BlockExpr => {
        const open = this.CONSUME(T.LCurly);
        const list = this.SUBRULE(this.stmtList, { ARGS: [T.RCurly] });
        const close = this.CONSUME(T.RCurly);
        return this.ACTION((): A.BlockExpr => {
          const stmts = [...list.stmts];
          const last = stmts[stmts.length - 1];
          let value: A.Expr | null = null;
          if (list.trailing && last?.kind === 'ExprStmt') {
            stmts.pop();
            value = last.expr;
          }
          return { kind: 'BlockExpr', stmts, value, span: this.b.span(open, close) };
        });
      },
      { recoveryValueFunc: (): A.BlockExpr => ({ kind: 'BlockExpr', stmts: [], value: null, span: NO_SPAN }) },
    );

    /** `struct name { fields }` or `union name { fields }` at the top level. */
    structDef = this.RULE(
      'structDef',
      (): A.CDefinition => {
        const kw = this.OR([{ ALT: () => this.CONSUME(T.Struct) }, { ALT: () => this.CONSUME(T.Union) }]);
        let name = '';
        this.OPTION(() => (name = this.CONSUME(T.Identifier).image));
        const body = this.SUBRULE(this.structBody);
        return this.ACTION((): A.CDefinition => ({
          kind: 'CDefinition', tag: kw.image as 'struct' | 'union', name, fields: body.fields, enumerators: [], span: this.b.span(kw, body.close),
        }));
      },
      { recoveryValueFunc: (): A.CDefinition => ({ kind: 'CDefinition', tag: 'struct', name: '', fields: [], enumerators: [], span: NO_SPAN }) },
    );

    /** `enum name { A, B = 2, }` at the top level. */
    enumDef = this.RULE(
      'enumDef',
      (): A.CDefinition => {
        const kw = this.CONSUME(T.Enum);
        let name = '';
        this.OPTION(() => (name = this.CONSUME(T.Identifier).image));
        const body = this.SUBRULE(this.enumBody);
        return this.ACTION((): A.CDefinition => ({ kind: 'CDefinition', tag: 'enum', name, fields: [], enumerators: body.enumerators, span: this.b.span(kw, body.close) }));
      },
      { recoveryValueFunc: (): A.CDefinition => ({ kind: 'CDefinition', tag: 'enum', name: '', fields: [], enumerators: [], span: NO_SPAN }) },
    );

    structBody = this.RULE(
      'structBody',
      (): { fields: A.CField[]; close: IToken } => {
        this.CONSUME(T.LCurly);
        const fields: A.CField[] = [];
        this.MANY(() => {
          const f = this.SUBRULE(this.cField);
          this.ACTION(() => fields.push(...f));
        });
        const close = this.CONSUME(T.RCurly);
        return { fields, close };
      },
      { recoveryValueFunc: () => ({ fields: [], close: this.LA(0) }) },
    );

    enumBody = this.RULE(
      'enumBody',
      (): { enumerators: A.CEnumerator[]; close: IToken } => {
        this.CONSUME(T.LCurly);
        const enumerators: A.CEnumerator[] = [];
        this.MANY(() => {
          const id = this.CONSUME(T.Identifier);
          let value: A.Expr | null = null;
          this.OPTION(() => {
            this.CONSUME(T.Assign);
            value = this.SUBRULE(this.expr);
          });
          this.ACTION(() => enumerators.push({ kind: 'CEnumerator', name: id.image, value, span: this.b.span(id, value ?? id) }));
          this.OR({
            DEF: [{ ALT: () => this.CONSUME(T.Comma) }, { GATE: () => this.LA(1).tokenType === T.RCurly, ALT: () => undefined }],
            ERR_MSG: "!expected ',' or '}' after an enumerator",
          });
        });
        const close = this.CONSUME(T.RCurly);
        return { enumerators, close };
      },
      { recoveryValueFunc: () => ({ enumerators: [], close: this.LA(0) }) },
    );

    /**
     * One member declaration of a struct or union: a type, then declarators (`*name[N]: bits`)
     * separated by commas, then ';'. A struct or union defined in place may have no declarator.
     */
    cField = this.RULE(
      'cField',
      (): A.CField[] => {
        let inline: A.CDefinition | null = null;
        // Qualifiers (`const struct cred *`) change no layout: skipped before a struct/union/enum.
        this.MANY3({ GATE: () => /^(const|volatile)$/.test(this.LA(1).image) && this.LA(2).tokenType !== T.TypeName, DEF: () => this.CONSUME4(T.TypeName) });
        const type = this.OR({
          DEF: [
            {
              ALT: () => {
                const words: IToken[] = [];
                this.AT_LEAST_ONE(() => words.push(this.CONSUME(T.TypeName)));
                return this.ACTION(() => this.b.typeRef(words, 0, words[words.length - 1]!, null));
              },
            },
            {
              ALT: () => {
                const t = this.CONSUME(T.Identifier);
                return this.ACTION(() => this.b.typeRef([t], 0, t, null));
              },
            },
            {
              ALT: () => {
                const kw = this.OR2([{ ALT: () => this.CONSUME(T.Struct) }, { ALT: () => this.CONSUME(T.Union) }]);
                let name: IToken | undefined;
                this.OPTION(() => (name = this.CONSUME2(T.Identifier)));
                let body: { fields: A.CField[]; close: IToken } | undefined;
                this.OPTION2(() => (body = this.SUBRULE(this.structBody)));
                return this.ACTION(() => {
                  const tag = kw.image as 'struct' | 'union';
                  if (body) inline = { kind: 'CDefinition', tag, name: name?.image ?? '', fields: body.fields, enumerators: [], span: this.b.span(kw, body.close) };
                  else if (!name) this.extra.push({ message: `expected a name or '{' after '${tag}'`, span: this.b.span(kw) });
                  return this.b.typeRef(name ? [kw, name] : [kw], 0, body?.close ?? name ?? kw, null);
                });
              },
            },
            {
              ALT: () => {
                const kw = this.CONSUME(T.Enum);
                let name: IToken | undefined;
                this.OPTION3(() => (name = this.CONSUME3(T.Identifier)));
                let body: { enumerators: A.CEnumerator[]; close: IToken } | undefined;
                this.OPTION4(() => (body = this.SUBRULE(this.enumBody)));
                return this.ACTION(() => {
                  if (body) inline = { kind: 'CDefinition', tag: 'enum', name: name?.image ?? '', fields: [], enumerators: body.enumerators, span: this.b.span(kw, body.close) };
                  else if (!name) this.extra.push({ message: "expected a name or '{' after 'enum'", span: this.b.span(kw) });
                  return this.b.typeRef(name ? [kw, name] : [kw], 0, body?.close ?? name ?? kw, null);
                });
              },
            },
          ],
          ERR_MSG: 'a member type',
        });
        const fields: A.CField[] = [];
        this.MANY_SEP({
          SEP: T.Comma,
          DEF: () => {
            let stars = 0;
            let first: IToken | undefined;
            this.MANY(() => {
              const s = this.CONSUME(T.Star);
              first ??= s;
              stars++;
            });
            const id = this.CONSUME(T.FieldName);
            let last: IToken = id;
            const dims: number[] = [];
            this.MANY2(() => {
              this.CONSUME(T.LBracket);
              const n = this.CONSUME(T.Int);
              last = this.CONSUME(T.RBracket);
              this.ACTION(() => dims.push(Number(n.payload ?? 0)));
            });
            let bits: number | null = null;
            this.OPTION5(() => {
              this.CONSUME(T.Colon);
              const n = this.CONSUME2(T.Int);
              last = n;
              this.ACTION(() => (bits = Number(n.payload ?? 0)));
            });
            this.ACTION(() =>
              fields.push({ kind: 'CField', type, inline, name: id.image, pointerDepth: stars, arrayLengths: dims, bitWidth: bits, span: this.b.span(first ?? id, last) }),
            );
          },
        });
        const semi = this.CONSUME(T.Semi);
        return this.ACTION(() => {
          if (fields.length > 0) return fields;
          // `int;` declares nothing; an anonymous struct or union merges its members into the parent.
          if (!inline || (inline as A.CDefinition).tag === 'enum') this.extra.push({ message: 'expected a member name', span: this.b.span(semi) });
          return [{ kind: 'CField', type, inline, name: '', pointerDepth: 0, arrayLengths: [], bitWidth: null, span: this.b.span(type, semi) }];
        });
      },
      { recoveryValueFunc: (): A.CField[] => [] },
    );

    probe = this.RULE(
      'probe',
      (): A.Probe => {
        const attachPoints: A.AttachPoint[] = [];
        const first = this.CONSUME(T.AttachPoint);
        this.ACTION(() => attachPoints.push(this.b.attachPoint(first)));
        this.MANY(() => {
          this.CONSUME(T.Comma);
          const t = this.CONSUME2(T.AttachPoint);
          this.ACTION(() => attachPoints.push(this.b.attachPoint(t)));
        });
        let predicate: A.Expr | null = null;
        this.OPTION(() => {
          this.CONSUME(T.PredSlash);
          predicate = this.SUBRULE(this.expr);
          this.CONSUME2(T.PredSlash);
        });
        const body = this.OR({
          DEF: [{ ALT: () => this.SUBRULE(this.block) }, { ALT: () => this.SUBRULE(this.angleBlock) }],
          ERR_MSG: "'{' to start the probe's actions",
        });
        return this.ACTION(() => ({ kind: 'Probe', attachPoints, predicate, body, span: this.b.span(first, body) }));
      },
      { recoveryValueFunc: (): A.Probe => ({ kind: 'Probe', attachPoints: [], predicate: null, body: placeholderBlock(), span: NO_SPAN }) },
    );

    block = this.RULE(
      'block',
      (): A.Block => {
        const open = this.CONSUME(T.LCurly);
        const list = this.SUBRULE(this.stmtList, { ARGS: [T.RCurly] });
        const close = this.CONSUME(T.RCurly);
        return this.ACTION(() => ({ kind: 'Block', stmts: list.stmts, span: this.b.span(open, close) }));
      },
      { recoveryValueFunc: placeholderBlock },
    );

    /** `< stmts; >`: the lexer makes the closing '>' an AngleClose token. */
    angleBlock = this.RULE(
      'angleBlock',
      (): A.Block => {
        const open = this.CONSUME(T.AngleOpen);
        const list = this.SUBRULE(this.stmtList, { ARGS: [T.AngleClose] });
        const close = this.CONSUME(T.AngleClose);
        return this.ACTION(() => ({ kind: 'Block', stmts: list.stmts, span: this.b.span(open, close) }));
      },
      { recoveryValueFunc: placeholderBlock },
    );

    /**
     * Statements end with ';' except before the block's closer; statements that end in a block
     * (if, while, unroll, for, a nested `{ }`) take no ';' at all, and an empty statement is an
     * error, as in bpftrace. `trailing` tells whether the last statement went without its ';', which
     * makes it the value of a block expression or a macro.
     */
    stmtList = this.RULE(
      'stmtList',
      (closer?: TokenType): StmtList => {
        const stmts: A.Stmt[] = [];
        let trailing = false;
        this.MANY(() =>
          this.OR([
            {
              ALT: () => {
                const s = this.SUBRULE(this.blockStmt);
                this.ACTION(() => {
                  stmts.push(s);
                  trailing = false;
                });
              },
            },
            {
              ALT: () => {
                const s = this.SUBRULE(this.simpleStmt);
                this.ACTION(() => stmts.push(s));
                const atCloser = () => this.LA(1).tokenType === closer;
                const endsInBlock = () => s.kind === 'ExprStmt' && s.expr.kind === 'BlockExpr';
                trailing = this.OR2({
                  DEF: [
                    { ALT: () => (this.CONSUME(T.Semi), false) },
                    { GATE: () => atCloser() || endsInBlock(), ALT: () => this.ACTION(atCloser) ?? false },
                  ],
                  ERR_MSG: closer === T.AngleClose ? AFTER_STATEMENT_ANGLES : AFTER_STATEMENT_BRACES,
                });
              },
            },
            {
              ALT: () => {
                const t = this.CONSUME2(T.Semi);
                this.ACTION(() => this.extra.push({ message: "unexpected ';'", span: this.b.span(t) }));
              },
            },
          ]),
        );
        return { stmts, trailing };
      },
      { recoveryValueFunc: (): StmtList => ({ stmts: [], trailing: false }) },
    );

    blockStmt = this.RULE(
      'blockStmt',
      (): A.Stmt =>
        this.OR([
          { ALT: () => this.SUBRULE(this.ifStmt) },
          { ALT: () => this.SUBRULE(this.whileStmt) },
          { ALT: () => this.SUBRULE(this.unrollStmt) },
          { ALT: () => this.SUBRULE(this.forStmt) },
        ]),
      { recoveryValueFunc: (): A.Stmt => ({ kind: 'ExprStmt', expr: placeholderExpr(), span: NO_SPAN }) },
    );

    ifStmt = this.RULE(
      'ifStmt',
      (): A.If => {
        // The condition needs no parentheses of its own (as in later bpftrace): `if (c)` is just a
        // parenthesized expression.
        const kw = this.CONSUME(T.If);
        const cond = this.SUBRULE(this.expr);
        const then = this.SUBRULE(this.block);
        let otherwise: A.Block | null = null;
        this.OPTION(() => {
          this.CONSUME(T.Else);
          otherwise = this.OR({
            DEF: [
              {
                ALT: () => {
                  const inner = this.SUBRULE(this.ifStmt);
                  return this.ACTION((): A.Block => ({ kind: 'Block', stmts: [inner], span: inner.span }));
                },
              },
              { ALT: () => this.SUBRULE2(this.block) },
            ],
            ERR_MSG: "'if' or '{' after 'else'",
          });
        });
        return this.ACTION(() => ({ kind: 'If', cond, then, else: otherwise, span: this.b.span(kw, otherwise ?? then) }));
      },
      { recoveryValueFunc: (): A.If => ({ kind: 'If', cond: placeholderExpr(), then: placeholderBlock(), else: null, span: NO_SPAN }) },
    );

    whileStmt = this.RULE(
      'whileStmt',
      (): A.While => {
        const kw = this.CONSUME(T.While);
        const cond = this.SUBRULE(this.expr);
        const body = this.SUBRULE(this.block);
        return this.ACTION(() => ({ kind: 'While', cond, body, span: this.b.span(kw, body) }));
      },
      { recoveryValueFunc: (): A.While => ({ kind: 'While', cond: placeholderExpr(), body: placeholderBlock(), span: NO_SPAN }) },
    );

    unrollStmt = this.RULE(
      'unrollStmt',
      (): A.Unroll => {
        const kw = this.CONSUME(T.Unroll);
        this.CONSUME(T.LParen);
        const count = this.SUBRULE(this.expr);
        this.CONSUME(T.RParen);
        const body = this.SUBRULE(this.block);
        return this.ACTION(() => ({ kind: 'Unroll', count, body, span: this.b.span(kw, body) }));
      },
      { recoveryValueFunc: (): A.Unroll => ({ kind: 'Unroll', count: placeholderExpr(), body: placeholderBlock(), span: NO_SPAN }) },
    );

    /** `for ($kv : @map) { }` and `for ($i : a..b) { }`, with or without the parentheses. */
    forStmt = this.RULE(
      'forStmt',
      (): A.For => {
        const kw = this.CONSUME(T.For);
        const head = this.OR({
          DEF: [
            {
              ALT: () => {
                this.CONSUME(T.LParen);
                const h = this.SUBRULE(this.forHead);
                this.CONSUME(T.RParen);
                return h;
              },
            },
            { ALT: () => this.SUBRULE2(this.forHead) },
          ],
          ERR_MSG: "a variable after 'for'",
        });
        const body = this.SUBRULE(this.block);
        return this.ACTION((): A.For => ({ kind: 'For', variable: head.variable, iterable: head.iterable, body, span: this.b.span(kw, body) }));
      },
      {
        recoveryValueFunc: (): A.For => ({
          kind: 'For',
          variable: { kind: 'Variable', name: '', span: NO_SPAN },
          iterable: { kind: 'MapRef', name: '', keys: [], span: NO_SPAN },
          body: placeholderBlock(),
          span: NO_SPAN,
        }),
      },
    );

    /** `$v : @map` or `$v : start..end` (both ends unary expressions, as in bpftrace). */
    forHead = this.RULE(
      'forHead',
      (): { variable: A.Variable; iterable: A.MapRef | A.Range } => {
        const v = this.CONSUME(T.Variable);
        this.CONSUME(T.Colon);
        const start = this.SUBRULE(this.unary);
        let end: A.Expr | undefined;
        this.OPTION(() => {
          this.CONSUME(T.DotDot);
          end = this.SUBRULE2(this.unary);
        });
        return this.ACTION(() => {
          const variable = this.b.variable(v);
          if (end) return { variable, iterable: { kind: 'Range', start, end, span: this.b.span(start, end) } as A.Range };
          // After a syntax error `start` may be whatever recovery made of the rest.
          if ((start.kind !== 'MapRef' || start.keys.length > 0) && this.errors.length === 0) {
            this.extra.push({ message: "expected a map or a range 'start..end' to iterate over", span: start.span });
          }
          return { variable, iterable: start.kind === 'MapRef' ? start : { kind: 'MapRef', name: '', keys: [], span: start.span } };
        });
      },
      {
        recoveryValueFunc: () => ({
          variable: { kind: 'Variable', name: '', span: NO_SPAN } as A.Variable,
          iterable: { kind: 'MapRef', name: '', keys: [], span: NO_SPAN } as A.MapRef,
        }),
      },
    );

    /** `let $x`, `let $x = e`, `let $x : type = e` */
    letStmt = this.RULE(
      'letStmt',
      (): A.Let => {
        const kw = this.CONSUME(T.Let);
        const v = this.CONSUME(T.Variable);
        let last: { span: A.Span } | IToken = v;
        let type: A.TypeRef | null = null;
        let value: A.Expr | null = null;
        this.OPTION(() => {
          this.CONSUME(T.Colon);
          type = this.SUBRULE(this.annotationType);
          last = type;
        });
        this.OPTION2(() => {
          this.CONSUME(T.Assign);
          value = this.SUBRULE(this.expr);
          last = value;
        });
        return this.ACTION((): A.Let => ({ kind: 'Let', variable: this.b.variable(v), type, value, span: this.b.span(kw, last) }));
      },
      { recoveryValueFunc: (): A.Let => ({ kind: 'Let', variable: { kind: 'Variable', name: '', span: NO_SPAN }, type: null, value: null, span: NO_SPAN }) },
    );

    /** A type in a declaration: what a cast takes, or any other type name (`string`, `u64`). */
    annotationType = this.RULE(
      'annotationType',
      (): A.TypeRef =>
        this.OR({
          ERR_MSG: 'a type',
          DEF: [
          { ALT: () => this.SUBRULE(this.typeRef) },
          {
            ALT: () => {
              const name = this.CONSUME(T.Identifier);
              let stars = 0;
              let last: IToken = name;
              this.MANY(() => {
                last = this.CONSUME(T.Star);
                stars++;
              });
              let arrayLength: number | null = null;
              this.OPTION(() => {
                this.CONSUME(T.LBracket);
                const n = this.CONSUME(T.Int);
                last = this.CONSUME(T.RBracket);
                this.ACTION(() => (arrayLength = Number(n.payload ?? 0)));
              });
              return this.ACTION(() => this.b.typeRef([name], stars, last, arrayLength));
            },
          },
          ],
        }),
      { recoveryValueFunc: placeholderType },
    );

    /** Jumps, assignments and expression statements. An assignment's target is parsed as an
     * expression and checked afterwards, which keeps the grammar LL(1) here. */
    simpleStmt = this.RULE(
      'simpleStmt',
      (): A.Stmt =>
        this.OR({
          DEF: [
            { ALT: () => this.jump(this.CONSUME(T.Break)) },
            { ALT: () => this.jump(this.CONSUME(T.Continue)) },
            { ALT: () => this.jump(this.CONSUME(T.Return)) },
            { ALT: () => this.SUBRULE(this.letStmt) },
            {
              ALT: () => {
                const lhs = this.SUBRULE(this.expr);
                let stmt: A.Stmt | undefined;
                this.OPTION(() => {
                  const op = this.OR2([{ ALT: () => this.CONSUME(T.Assign) }, { ALT: () => this.CONSUME(T.CompoundAssign) }]);
                  const rhs = this.SUBRULE2(this.expr);
                  this.ACTION(() => {
                    stmt = this.b.assignment(lhs, op, rhs) ?? undefined;
                    if (!stmt) this.extra.push({ message: 'only a map or a variable can be assigned to', span: lhs.span });
                  });
                });
                return this.ACTION((): A.Stmt => stmt ?? { kind: 'ExprStmt', expr: lhs, span: lhs.span });
              },
            },
          ],
          ERR_MSG: 'a statement',
        }),
      { recoveryValueFunc: (): A.Stmt => ({ kind: 'ExprStmt', expr: placeholderExpr(), span: NO_SPAN }) },
    );

    private jump(t: IToken): A.Jump {
      return this.ACTION(() => ({ kind: 'Jump', jump: t.image as A.Jump['jump'], span: this.b.span(t) }));
    }

    expr = this.RULE('expr', (): A.Expr => this.SUBRULE(this.ternary), { recoveryValueFunc: placeholderExpr });

    /** `c ? a : b` and `c ?: b`, right-associative. */
    ternary = this.RULE(
      'ternary',
      (): A.Expr => {
        const cond = this.SUBRULE(this.binary);
        let result = cond;
        this.OPTION(() => {
          this.CONSUME(T.Question);
          const then = this.OR({
            DEF: [
              {
                ALT: () => {
                  this.CONSUME(T.Colon);
                  return null;
                },
              },
              {
                ALT: () => {
                  const e = this.SUBRULE(this.ternary);
                  this.CONSUME2(T.Colon);
                  return e;
                },
              },
            ],
            ERR_MSG: 'an expression',
          });
          const otherwise = this.SUBRULE2(this.ternary);
          this.ACTION(() => {
            const span = this.b.span(cond, otherwise);
            result = then
              ? { kind: 'Ternary', cond, then, else: otherwise, span }
              : { kind: 'Ternary', cond, then: cond, else: otherwise, elvis: true, span };
          });
        });
        return result;
      },
      { recoveryValueFunc: placeholderExpr },
    );

    /** All binary operators, read flat and arranged by C precedence in precedence.ts. */
    binary = this.RULE(
      'binary',
      (): A.Expr => {
        const operands = [this.SUBRULE(this.unary)];
        const ops: IToken[] = [];
        this.MANY(() => {
          ops.push(this.CONSUME(T.BinaryOp));
          operands.push(this.SUBRULE2(this.unary));
        });
        return this.ACTION(() =>
          climb(operands, ops, (o) => o.image as A.BinaryOp, (o, l, r) => this.b.binary(o, l, r)),
        );
      },
      { recoveryValueFunc: placeholderExpr },
    );

    unary = this.RULE(
      'unary',
      (): A.Expr =>
        this.OR({
          DEF: [
            {
              ALT: () => {
                const op = this.CONSUME(T.PrefixOp);
                const operand = this.SUBRULE(this.unary);
                return this.ACTION(() => this.b.prefix(op, operand));
              },
            },
            { ALT: () => this.SUBRULE(this.cast) },
            { ALT: () => this.SUBRULE(this.sizeof) },
            { ALT: () => this.SUBRULE(this.postfix) },
          ],
          ERR_MSG: 'an expression',
        }),
      { recoveryValueFunc: placeholderExpr },
    );

    /** `(type) operand`; told from a parenthesized expression by the type word after '('. */
    cast = this.RULE(
      'cast',
      (): A.Expr => {
        const open = this.CONSUME(T.LParen);
        const type = this.SUBRULE(this.typeRef);
        this.CONSUME(T.RParen);
        const operand = this.SUBRULE(this.unary);
        return this.ACTION((): A.Cast => ({ kind: 'Cast', type, operand, span: this.b.span(open, operand) }));
      },
      { recoveryValueFunc: placeholderExpr },
    );

    sizeof = this.RULE(
      'sizeof',
      (): A.Expr => {
        const kw = this.CONSUME(T.Sizeof);
        this.CONSUME(T.LParen);
        let type: A.TypeRef | null = null;
        let operand: A.Expr | null = null;
        this.OR({
          DEF: [{ ALT: () => (type = this.SUBRULE(this.typeRef)) }, { ALT: () => (operand = this.SUBRULE(this.expr)) }],
          ERR_MSG: 'a type or an expression',
        });
        const close = this.CONSUME(T.RParen);
        return this.ACTION((): A.Sizeof => ({ kind: 'Sizeof', type, operand, span: this.b.span(kw, close) }));
      },
      { recoveryValueFunc: placeholderExpr },
    );

    /** `uint32`, `unsigned long`, `struct task_struct **`, `int8[8]`. */
    typeRef = this.RULE(
      'typeRef',
      (): A.TypeRef => {
        const words: IToken[] = [];
        this.OR([
          { ALT: () => this.AT_LEAST_ONE(() => words.push(this.CONSUME(T.TypeName))) },
          {
            ALT: () => {
              words.push(this.OR2([{ ALT: () => this.CONSUME(T.Struct) }, { ALT: () => this.CONSUME(T.Union) }, { ALT: () => this.CONSUME(T.Enum) }]));
              words.push(this.CONSUME(T.Identifier));
            },
          },
        ]);
        let stars = 0;
        let last: IToken | undefined;
        this.MANY(() => {
          last = this.CONSUME(T.Star);
          stars++;
        });
        let arrayLength: number | null = null;
        this.OPTION(() => {
          this.CONSUME(T.LBracket);
          const n = this.CONSUME(T.Int);
          last = this.CONSUME(T.RBracket);
          this.ACTION(() => (arrayLength = Number(n.payload ?? 0)));
        });
        return this.ACTION(() => this.b.typeRef(words, stars, last ?? words[words.length - 1]!, arrayLength));
      },
      { recoveryValueFunc: (): A.TypeRef => ({ kind: 'TypeRef', name: '', pointerDepth: 0, arrayLength: null, span: NO_SPAN }) },
    );

    postfix = this.RULE(
      'postfix',
      (): A.Expr => {
        let e = this.SUBRULE(this.primary);
        this.MANY(() =>
          this.OR([
            { ALT: () => (e = this.SUBRULE(this.index, { ARGS: [e] })) },
            {
              ALT: () => {
                this.CONSUME(T.Dot);
                this.OR2({
                  DEF: [
                  {
                    ALT: () => {
                      const n = this.CONSUME(T.Int);
                      const target = e;
                      e = this.ACTION((): A.TupleAccess => ({
                        kind: 'TupleAccess',
                        target,
                        index: Number(n.payload ?? 0),
                        indexSpan: this.b.span(n),
                        span: this.b.span(target, n),
                      }));
                    },
                  },
                  { ALT: () => (e = this.field(e, this.CONSUME(T.FieldName), false)) },
                  ],
                  ERR_MSG: "a field name or a tuple index after '.'",
                });
              },
            },
            {
              ALT: () => {
                this.CONSUME(T.Arrow);
                e = this.field(e, this.CONSUME2(T.FieldName), true);
              },
            },
            {
              ALT: () => {
                const op = this.OR3([{ ALT: () => this.CONSUME(T.PlusPlus) }, { ALT: () => this.CONSUME(T.MinusMinus) }]);
                const operand = e;
                e = this.ACTION(() => this.b.postfix(op, operand));
              },
            },
          ]),
        );
        return e;
      },
      { recoveryValueFunc: placeholderExpr },
    );

    private field(target: A.Expr, name: IToken, arrow: boolean): A.Expr {
      return this.ACTION((): A.FieldAccess => ({
        kind: 'FieldAccess',
        target,
        field: name.image,
        arrow,
        fieldSpan: this.b.span(name),
        span: this.b.span(target, name),
      }));
    }

    index = this.RULE(
      'index',
      (target?: A.Expr): A.Expr => {
        this.CONSUME(T.LBracket);
        const index = this.SUBRULE(this.expr);
        const close = this.CONSUME(T.RBracket);
        return this.ACTION((): A.Index => ({ kind: 'Index', target: target!, index, span: this.b.span(target!, close) }));
      },
      { recoveryValueFunc: placeholderExpr },
    );

    primary = this.RULE(
      'primary',
      (): A.Expr =>
        this.OR({
          DEF: [
            {
              ALT: () => {
                const t = this.CONSUME(T.Int);
                return this.ACTION(() => this.b.int(t));
              },
            },
            {
              ALT: () => {
                const t = this.CONSUME(T.String);
                return this.ACTION(() => this.b.str(t));
              },
            },
            { ALT: () => this.SUBRULE(this.call) },
            {
              ALT: () => {
                const t = this.CONSUME(T.Identifier);
                return this.ACTION((): A.Builtin => ({ kind: 'Builtin', name: t.image, span: this.b.span(t) }));
              },
            },
            {
              ALT: () => {
                const t = this.CONSUME(T.Variable);
                return this.ACTION(() => this.b.variable(t));
              },
            },
            {
              ALT: () => {
                const t = this.CONSUME(T.Positional);
                return this.ACTION(() => this.b.positional(t));
              },
            },
            { ALT: () => this.SUBRULE(this.mapRef) },
            { ALT: () => this.SUBRULE(this.parenOrTuple) },
            {
              ALT: () => {
                const t = this.OR2([{ ALT: () => this.CONSUME(T.True) }, { ALT: () => this.CONSUME(T.False) }]);
                return this.ACTION((): A.BoolLit => ({ kind: 'BoolLit', value: t.image === 'true', span: this.b.span(t) }));
              },
            },
            { ALT: () => this.SUBRULE(this.offsetof) },
            { ALT: () => this.SUBRULE(this.valueBlock) },
          ],
          ERR_MSG: 'an expression',
        }),
      { recoveryValueFunc: placeholderExpr },
    );

    call = this.RULE(
      'call',
      (): A.Expr => {
        const name = this.CONSUME(T.Identifier);
        // `name!(…)` calls a macro explicitly.
        let bang = false;
        this.OPTION(() => {
          this.CONSUME(T.Bang);
          bang = true;
        });
        this.CONSUME(T.LParen);
        const args: A.Expr[] = [];
        this.MANY_SEP({ SEP: T.Comma, DEF: () => args.push(this.SUBRULE(this.expr)) });
        const close = this.CONSUME(T.RParen);
        return this.ACTION((): A.Call => {
          const call: A.Call = { kind: 'Call', name: name.image, nameSpan: this.b.span(name), args, span: this.b.span(name, close) };
          if (bang) call.bang = true;
          return call;
        });
      },
      { recoveryValueFunc: placeholderExpr },
    );

    /** `offsetof(struct s, a.b)` */
    offsetof = this.RULE(
      'offsetof',
      (): A.Expr => {
        const kw = this.CONSUME(T.Offsetof);
        this.CONSUME(T.LParen);
        const type = this.SUBRULE(this.annotationType);
        this.CONSUME(T.Comma);
        const fields: string[] = [];
        this.AT_LEAST_ONE_SEP({ SEP: T.Dot, DEF: () => fields.push(this.CONSUME(T.FieldName).image), ERR_MSG: 'a field name' });
        const close = this.CONSUME(T.RParen);
        return this.ACTION((): A.Offsetof => ({ kind: 'Offsetof', type, fields, span: this.b.span(kw, close) }));
      },
      { recoveryValueFunc: placeholderExpr },
    );

    mapRef = this.RULE(
      'mapRef',
      (): A.Expr => {
        const name = this.CONSUME(T.MapName);
        const keys: A.Expr[] = [];
        let close: IToken | undefined;
        this.OPTION(() => {
          this.CONSUME(T.LBracket);
          this.AT_LEAST_ONE_SEP({ SEP: T.Comma, DEF: () => keys.push(this.SUBRULE(this.expr)), ERR_MSG: 'a map key' });
          close = this.CONSUME(T.RBracket);
        });
        return this.ACTION(() => this.b.mapRef(name, keys, close));
      },
      { recoveryValueFunc: placeholderExpr },
    );

    /** `(e)` is `e` itself; `(a, b, ...)` is a Tuple. */
    parenOrTuple = this.RULE(
      'parenOrTuple',
      (): A.Expr => {
        const open = this.CONSUME(T.LParen);
        const elems = [this.SUBRULE(this.expr)];
        this.MANY(() => {
          this.CONSUME(T.Comma);
          elems.push(this.SUBRULE2(this.expr));
        });
        const close = this.CONSUME(T.RParen);
        return this.ACTION((): A.Expr => (elems.length === 1 ? elems[0]! : { kind: 'Tuple', elems, span: this.b.span(open, close) }));
      },
      { recoveryValueFunc: placeholderExpr },
    );
  }

  return new BpfParser();
}

export type BpfParser = ReturnType<typeof createParser>;
