// The grammar: a chevrotain embedded-actions parser over the tokens of lexer.ts, building the AST of
// src/ast.ts as it goes. Its rules live in one module per part of the language, each a subclass
// of the one before it, because chevrotain rules are fields of one parser object:
//   parser-base → type-rules → expression-rules → c-declaration-rules → statement-rules →
//   probe-rules → program-rules.
// Node construction sits inside ACTION(...) because chevrotain runs every rule once, with dummy
// tokens, to record the grammar, and the actions must not run then.
// Error recovery is on: a failed rule resynchronises on what can follow it (typically ';' or '}'),
// so one program can report several syntax errors; the AST of a program with errors is discarded.

import { cDeclarationRules } from './c-declaration-rules';
import { expressionRules } from './expression-rules';
import { parserBase } from './parser-base';
import { probeRules } from './probe-rules';
import { programRules } from './program-rules';
import { statementRules } from './statement-rules';
import { typeRules } from './type-rules';

export type { SemanticSyntaxError } from './parser-base';
export { MAP_TYPES } from './program-rules';

export function createParser(validate = false) {
  const Rules = programRules(probeRules(statementRules(cDeclarationRules(expressionRules(typeRules(parserBase()))))));

  class BpfParser extends Rules {
    constructor() {
      super(validate);
      // Only now, with the rules of every module defined, can chevrotain record the grammar.
      this.performSelfAnalysis();
    }
  }
  return new BpfParser();
}

export type BpfParser = ReturnType<typeof createParser>;
