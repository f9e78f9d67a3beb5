// The grammar: a chevrotain embedded-actions parser over the tokens of lexer.ts, building the AST of
// src/ast.ts as it goes. Expressions follow C's precedence and associativity.
// Node construction sits inside ACTION(...) because chevrotain runs every rule once, with dummy
// tokens, to record the grammar, and the actions must not run then.
// Binary operators are one flat rule (see precedence.ts) to keep the rule stack shallow.
// Error recovery is on: a failed rule resynchronises on what can follow it (typically ';' or '}'),
// so one program can report several syntax errors; the AST of a program with errors is discarded.

import type { IToken, TokenType } from 'chevrotain';
import type * as A from '../src/ast';
import { AstBuilder, NO_SPAN, placeholderBlock, placeholderExpr } from './ast-builder';
import { chevrotain } from './chevrotain';
import { messageProvider } from './errors';
import { climb } from './precedence';
import { allTokenTypes, tokens } from './tokens';

/** An error the grammar accepts but the language does not (`;;`, `1 = 2`). */
export interface SemanticSyntaxError {
  message: string;
  span: A.Span;
}

const AFTER_STATEMENT_BRACES = "!expected ';' or '}' after a statement";
const AFTER_STATEMENT_ANGLES = "!expected ';' after a statement in a '< >' block";

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

    program = this.RULE(
      'program',
      (): A.Program => {
        const includes: A.Include[] = [];
        const probes: A.Probe[] = [];
        this.MANY(() =>
          this.OR([
            {
              ALT: () => {
                const t = this.CONSUME(T.Include);
                this.ACTION(() => includes.push(this.b.include(t)));
              },
            },
            {
              ALT: () => {
                const p = this.SUBRULE(this.probe);
                this.ACTION(() => probes.push(p));
              },
            },
          ]),
        );
        return { kind: 'Program', includes, probes, span: NO_SPAN };
      },
      { recoveryValueFunc: (): A.Program => ({ kind: 'Program', includes: [], probes: [], span: NO_SPAN }) },
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
        const stmts = this.SUBRULE(this.stmtList, { ARGS: [T.RCurly] });
        const close = this.CONSUME(T.RCurly);
        return this.ACTION(() => ({ kind: 'Block', stmts, span: this.b.span(open, close) }));
      },
      { recoveryValueFunc: placeholderBlock },
    );

    /** `< stmts; >`: the lexer makes the closing '>' an AngleClose token. */
    angleBlock = this.RULE(
      'angleBlock',
      (): A.Block => {
        const open = this.CONSUME(T.AngleOpen);
        const stmts = this.SUBRULE(this.stmtList, { ARGS: [T.AngleClose] });
        const close = this.CONSUME(T.AngleClose);
        return this.ACTION(() => ({ kind: 'Block', stmts, span: this.b.span(open, close) }));
      },
      { recoveryValueFunc: placeholderBlock },
    );

    /**
     * Statements end with ';' except before the block's closer; statements that end in a block
     * (if, while, unroll) take no ';' at all, and an empty statement is an error, as in bpftrace.
     */
    stmtList = this.RULE(
      'stmtList',
      (closer?: TokenType): A.Stmt[] => {
        const stmts: A.Stmt[] = [];
        this.MANY(() =>
          this.OR([
            {
              ALT: () => {
                const s = this.SUBRULE(this.blockStmt);
                this.ACTION(() => stmts.push(s));
              },
            },
            {
              ALT: () => {
                const s = this.SUBRULE(this.simpleStmt);
                this.ACTION(() => stmts.push(s));
                this.OR2({
                  DEF: [
                    { ALT: () => this.CONSUME(T.Semi) },
                    { GATE: () => this.LA(1).tokenType === closer, ALT: () => undefined },
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
        return stmts;
      },
      { recoveryValueFunc: (): A.Stmt[] => [] },
    );

    blockStmt = this.RULE(
      'blockStmt',
      (): A.Stmt =>
        this.OR([
          { ALT: () => this.SUBRULE(this.ifStmt) },
          { ALT: () => this.SUBRULE(this.whileStmt) },
          { ALT: () => this.SUBRULE(this.unrollStmt) },
        ]),
      { recoveryValueFunc: (): A.Stmt => ({ kind: 'ExprStmt', expr: placeholderExpr(), span: NO_SPAN }) },
    );

    ifStmt = this.RULE(
      'ifStmt',
      (): A.If => {
        const kw = this.CONSUME(T.If);
        this.CONSUME(T.LParen);
        const cond = this.SUBRULE(this.expr);
        this.CONSUME(T.RParen);
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
        this.CONSUME(T.LParen);
        const cond = this.SUBRULE(this.expr);
        this.CONSUME(T.RParen);
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
          ],
          ERR_MSG: 'an expression',
        }),
      { recoveryValueFunc: placeholderExpr },
    );

    call = this.RULE(
      'call',
      (): A.Expr => {
        const name = this.CONSUME(T.Identifier);
        this.CONSUME(T.LParen);
        const args: A.Expr[] = [];
        this.MANY_SEP({ SEP: T.Comma, DEF: () => args.push(this.SUBRULE(this.expr)) });
        const close = this.CONSUME(T.RParen);
        return this.ACTION((): A.Call => ({ kind: 'Call', name: name.image, nameSpan: this.b.span(name), args, span: this.b.span(name, close) }));
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
