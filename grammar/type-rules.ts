// Type names as they appear in casts, `sizeof`, `let` annotations and `offsetof`.

import type { IToken } from 'chevrotain';
import type * as A from '../src/ast';
import { placeholderType } from './ast-builder';
import type { parserBase } from './parser-base';
import { tokens } from './tokens';

export function typeRules(Base: ReturnType<typeof parserBase>) {
  const T = tokens();

  class TypeRules extends Base {
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
        const s = this.pointersAndArray();
        return this.ACTION(() => this.b.typeRef(words, s.stars, s.last ?? words[words.length - 1]!, s.arrayLength));
      },
      { recoveryValueFunc: placeholderType },
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
                const s = this.pointersAndArray();
                return this.ACTION(() => this.b.typeRef([name], s.stars, s.last ?? name, s.arrayLength));
              },
            },
          ],
        }),
      { recoveryValueFunc: placeholderType },
    );

    /**
     * The `**` and `[N]` after a type's name; `last` is the final token, if there is any. A method
     * rather than a rule, so a syntax error in it is worded and recovered from as part of the rule
     * that called it (errors.ts words messages by rule).
     */
    private pointersAndArray(): { stars: number; arrayLength: number | null; last: IToken | undefined } {
      const s = { stars: 0, arrayLength: null as number | null, last: undefined as IToken | undefined };
      this.MANY(() => {
        s.last = this.CONSUME(T.Star);
        s.stars++;
      });
      this.OPTION(() => {
        this.CONSUME(T.LBracket);
        let n: IToken | undefined;
        this.OPTION2(() => (n = this.CONSUME(T.Int)));
        s.last = this.CONSUME(T.RBracket);
        // `T[]` (bpftrace 0.22+ casts): as many elements as the value holds, 0 until the cast is typed.
        this.ACTION(() => (s.arrayLength = n ? Number(n.payload ?? 0) : 0));
      });
      return s;
    }
  }
  return TypeRules;
}
