// Statements and the blocks that hold them: `{ }` and `< >` action blocks, block expressions,
// `if`/`while`/`unroll`/`for`, `let`, jumps, assignments and expression statements.

import type { IToken, TokenType } from 'chevrotain';
import type * as A from '../src/ast';
import { NO_SPAN, placeholderBlock, placeholderExpr, placeholderMapRef, placeholderStmt, placeholderVariable } from './ast-builder';
import type { cDeclarationRules } from './c-declaration-rules';
import { tokens } from './tokens';

const AFTER_STATEMENT_BRACES = "!expected ';' or '}' after a statement";
const AFTER_STATEMENT_ANGLES = "!expected ';' after a statement in a '< >' block";

interface StmtList {
  stmts: A.Stmt[];
  trailing: boolean;
}

export function statementRules(Base: ReturnType<typeof cDeclarationRules>) {
  const T = tokens();

  class StatementRules extends Base {
    block = this.blockRule('block', T.LCurly, T.RCurly);

    /** `< stmts; >`: the lexer makes the closing '>' an AngleClose token. */
    angleBlock = this.blockRule('angleBlock', T.AngleOpen, T.AngleClose);

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
      { recoveryValueFunc: placeholderStmt },
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
        recoveryValueFunc: (): A.For => ({ kind: 'For', variable: placeholderVariable(), iterable: placeholderMapRef(), body: placeholderBlock(), span: NO_SPAN }),
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
      { recoveryValueFunc: () => ({ variable: placeholderVariable(), iterable: placeholderMapRef() }) },
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
      { recoveryValueFunc: (): A.Let => ({ kind: 'Let', variable: placeholderVariable(), type: null, value: null, span: NO_SPAN }) },
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
            {
              ALT: () => {
                const t = this.CONSUME(T.Return);
                let value: A.Expr | null = null;
                this.OPTION3(() => (value = this.SUBRULE3(this.expr)));
                return this.ACTION((): A.Jump => ({ ...this.jump(t), ...(value ? { value, span: this.b.span(t, value) } : {}) }));
              },
            },
            { ALT: () => this.SUBRULE(this.letStmt) },
            {
              ALT: () => {
                const lhs = this.SUBRULE(this.expr);
                let stmt: A.Stmt | undefined;
                this.OPTION(() => {
                  const op = this.OR2([{ ALT: () => this.CONSUME(T.Assign) }, { ALT: () => this.CONSUME(T.CompoundAssign) }]);
                  const rhs = this.SUBRULE2(this.expr);
                  this.ACTION(() => {
                    // `_ = expr` (bpftrace 0.25+): the value is discarded on purpose.
                    if (lhs.kind === 'Builtin' && lhs.name === '_' && op.image === '=') {
                      stmt = { kind: 'ExprStmt', expr: rhs, span: this.b.span(lhs, rhs) };
                      return;
                    }
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
      { recoveryValueFunc: placeholderStmt },
    );

    private jump(t: IToken): A.Jump {
      return this.ACTION(() => ({ kind: 'Jump', jump: t.image as A.Jump['jump'], span: this.b.span(t) }));
    }

    /** `block` and `angleBlock`: the same rule between different delimiters. */
    private blockRule(name: string, open: TokenType, close: TokenType) {
      return this.RULE(
        name,
        (): A.Block => {
          const first = this.CONSUME(open);
          const list = this.SUBRULE(this.stmtList, { ARGS: [close] });
          const last = this.CONSUME(close);
          return this.ACTION(() => ({ kind: 'Block', stmts: list.stmts, span: this.b.span(first, last) }));
        },
        { recoveryValueFunc: placeholderBlock },
      );
    }
  }
  return StatementRules;
}
