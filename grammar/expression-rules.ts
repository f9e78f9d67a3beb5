// Expressions, by C's precedence and associativity. Binary operators are one flat rule (see
// precedence.ts) to keep the rule stack shallow.

import type { IOrAlt, IToken, ParserMethod, TokenType } from 'chevrotain';
import type * as A from '../src/ast';
import { placeholderExpr } from './ast-builder';
import { climb } from './precedence';
import { tokens } from './tokens';
import type { typeRules } from './type-rules';

export function expressionRules(Base: ReturnType<typeof typeRules>) {
  const T = tokens();

  abstract class ExpressionRules extends Base {
    /** `{ stmts; value }`: an expression made of statements, so its rule lives in statement-rules.ts. */
    abstract valueBlock: ParserMethod<[], A.BlockExpr>;

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

    postfix = this.RULE(
      'postfix',
      (): A.Expr => {
        // A member access spans from the target's first token, its '(' included, as bpftrace's
        // locations do (a -kk helper error on `((struct foo *)0)->a` points at the outer '(').
        const first = this.LA(1);
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
                    { ALT: () => (e = this.field(e, first, this.CONSUME(T.FieldName), false)) },
                  ],
                  ERR_MSG: "a field name or a tuple index after '.'",
                });
              },
            },
            {
              ALT: () => {
                this.CONSUME(T.Arrow);
                e = this.field(e, first, this.CONSUME2(T.FieldName), true);
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

    private field(target: A.Expr, first: IToken, name: IToken, arrow: boolean): A.Expr {
      return this.ACTION((): A.FieldAccess => ({
        kind: 'FieldAccess',
        target,
        field: name.image,
        arrow,
        fieldSpan: this.b.span(name),
        span: this.b.span(first, name),
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
            this.leaf(T.Int, (t) => this.b.int(t)),
            this.leaf(T.String, (t) => this.b.str(t)),
            { ALT: () => this.SUBRULE(this.call) },
            this.leaf(T.Identifier, (t): A.Builtin => ({ kind: 'Builtin', name: t.image, span: this.b.span(t) })),
            this.leaf(T.Variable, (t) => this.b.variable(t)),
            this.leaf(T.Positional, (t) => this.b.positional(t)),
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

    /** An alternative made of one token, turned into a node. */
    private leaf(tok: TokenType, build: (t: IToken) => A.Expr): IOrAlt<A.Expr> {
      return {
        ALT: () => {
          const t = this.CONSUME(tok);
          return this.ACTION(() => build(t));
        },
      };
    }

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

    /**
     * `(e)` is `e` itself; `(a, b, ...)`, `(a,)` and `()` are Tuples (the last two bpftrace 0.25+);
     * `(x = a, y = b)` is a Record (bpftrace 0.25+).
     */
    parenOrTuple = this.RULE(
      'parenOrTuple',
      (): A.Expr => {
        const open = this.CONSUME(T.LParen);
        const items: { name: IToken | null; value: A.Expr }[] = [];
        let trailingComma = false;
        this.OPTION(() => {
          items.push(this.SUBRULE(this.tupleItem));
          this.MANY({
            GATE: () => this.LA(2).tokenType !== T.RParen,
            DEF: () => {
              this.CONSUME(T.Comma);
              items.push(this.SUBRULE2(this.tupleItem));
            },
          });
          this.OPTION2(() => {
            this.CONSUME2(T.Comma);
            trailingComma = true;
          });
        });
        const close = this.CONSUME(T.RParen);
        return this.ACTION((): A.Expr => {
          const span = this.b.span(open, close);
          if (items.some((i) => i.name)) return this.b.record(items, span);
          if (items.length === 1 && !trailingComma) return items[0]!.value;
          return { kind: 'Tuple', elems: items.map((i) => i.value), span };
        });
      },
      { recoveryValueFunc: placeholderExpr },
    );

    /** One element of a tuple, or `name = value` of a record. */
    tupleItem = this.RULE('tupleItem', (): { name: IToken | null; value: A.Expr } => {
      let name: IToken | null = null;
      this.OPTION({
        GATE: () => this.LA(2).tokenType === T.Assign,
        DEF: () => {
          name = this.CONSUME(T.Identifier);
          this.CONSUME(T.Assign);
        },
      });
      const value = this.SUBRULE(this.expr);
      return { name, value };
    }, { recoveryValueFunc: () => ({ name: null, value: placeholderExpr() }) });
  }
  return ExpressionRules;
}
