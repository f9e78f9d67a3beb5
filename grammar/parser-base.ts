// What every rule module of the grammar shares: the chevrotain parser class configured for this
// language, the node builder its actions use, and the list of errors the grammar accepts but the
// language does not. The rule modules each extend the class one step further (see parser.ts).

import type { TokenType } from 'chevrotain';
import type * as A from '../src/ast';
import { AstBuilder } from './ast-builder';
import { chevrotain } from './chevrotain';
import { messageProvider } from './errors';
import { allTokenTypes, tokens } from './tokens';

/** An error the grammar accepts but the language does not (`;;`, `1 = 2`). */
export interface SemanticSyntaxError {
  message: string;
  span: A.Span;
  hint?: string;
}

export function parserBase() {
  const chev = chevrotain();
  const T = tokens();

  class ParserBase extends chev.EmbeddedActionsParser {
    b = new AstBuilder('');
    extra: SemanticSyntaxError[] = [];

    constructor(validate: boolean) {
      super(allTokenTypes(), {
        recoveryEnabled: true,
        maxLookahead: 2,
        // chevrotain's grammar checks (ambiguities, left recursion) cost startup time; a test runs
        // them once with createParser(true).
        skipValidations: !validate,
        errorMessageProvider: messageProvider,
      });
    }

    /** Between the items of a `{ … }` list: the separator, which may also follow the last item. */
    protected separatorOrClose(sep: TokenType, message: string): void {
      this.OR({
        DEF: [{ ALT: () => this.CONSUME(sep) }, { GATE: () => this.LA(1).tokenType === T.RCurly, ALT: () => undefined }],
        ERR_MSG: message,
      });
    }
  }
  return ParserBase;
}
