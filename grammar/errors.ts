// Syntax error wording. chevrotain reports which token it wanted; these say it in words, with the
// context where a bare token name would puzzle ("expected ',' or ')' after a function argument").
// An OR's ERR_MSG starting with '!' is a complete message, used as is.

import type { IParserErrorMessageProvider, IToken, TokenType } from 'chevrotain';

/** Messages for "rule:expected token" pairs where the token's label alone says too little. */
const IN_CONTEXT: Record<string, string> = {
  'call:RParen': "',' or ')' after a function argument",
  'mapRef:RBracket': "',' or ']' after a map key",
  'parenOrTuple:RParen': "')'",
  'index:RBracket': "']'",
  'ifStmt:LParen': "'(' after 'if'",
  'ifStmt:RParen': "')' after the condition",
  'whileStmt:LParen': "'(' after 'while'",
  'whileStmt:RParen': "')' after the condition",
  'unrollStmt:LParen': "'(' after 'unroll'",
  'unrollStmt:RParen': "')' after the count",
  'probe:PredSlash': "'/' to end the predicate",
  'probe:AttachPoint': "an attach point after ','",
  'ternary:Colon': "':' in the conditional expression",
  'cast:RParen': "')' to end the cast",
  'sizeof:LParen': "'(' after 'sizeof'",
  'sizeof:RParen': "')'",
  'block:RCurly': "a statement or '}'",
  'angleBlock:AngleClose': "a statement or '>' to end the block",
  'typeRef:Identifier': "a type name after 'struct', 'union' or 'enum'",
  'forHead:Variable': "a variable such as '$i' after 'for'",
  'forHead:Colon': "':' after the loop variable",
  'forStmt:RParen': "')' after the map or range",
  'letStmt:Variable': "a variable such as '$x' after 'let'",
  'macroDef:Identifier': "a macro name after 'macro'",
  'macroDef:RParen': "',' or ')' after a macro parameter",
  'fnDef:Identifier': "a function name after 'fn'",
  'fnDef:Variable': "a parameter ('$name: type')",
  'fnDef:Colon': "':' and a type",
  'fnDef:RParen': "',' or ')' after a function parameter",
  'importDecl:String': "a file name in quotes after 'import'",
  'importDecl:Semi': "';' after the import",
  'mapDecl:MapName': "a map such as '@m' after 'let'",
  'mapDecl:Identifier': "a map type (hash, lruhash, percpuhash, percpulruhash)",
  'mapDecl:Int': "the map's maximum number of entries",
  'mapDecl:Semi': "';' after the map declaration",
  'config:Assign': "'='",
  'config:RCurly': "a config setting such as 'name = value;' or '}'",
  'config:FieldName': "a config setting's name or '}'",
  'cField:Semi': "';' after a struct member",
  'cField:FieldName': 'a member name',
  'offsetof:Comma': "',' and a member name",
  'offsetof:LParen': "'(' after 'offsetof'",
};

export function describeToken(t: IToken | undefined): string {
  if (!t || t.tokenType?.name === 'EOF' || t.image === '' || Number.isNaN(t.startOffset)) return 'end of input';
  const image = t.image.length > 40 ? t.image.slice(0, 37) + '...' : t.image;
  return `'${image}'`;
}

const label = (t: TokenType): string => t.LABEL ?? t.name;

export const messageProvider: IParserErrorMessageProvider = {
  buildMismatchTokenMessage({ expected, actual, ruleName }) {
    // Leftover input after the last probe.
    if (expected.name === 'EOF') return `unexpected ${describeToken(actual)}, expected a probe`;
    return `unexpected ${describeToken(actual)}, expected ${IN_CONTEXT[`${ruleName}:${expected.name}`] ?? label(expected)}`;
  },
  buildNotAllInputParsedMessage({ firstRedundant }) {
    return `unexpected ${describeToken(firstRedundant)}, expected a probe`;
  },
  buildNoViableAltMessage({ actual, previous, customUserDescription, ruleName }) {
    if (customUserDescription?.startsWith('!')) return customUserDescription.slice(1);
    const message = `unexpected ${describeToken(actual[0])}, expected ${customUserDescription ?? `a ${ruleName}`}`;
    // `kprobe:f < @a = 1 >`: the '>' was read as greater-than because no ';' came before it.
    if (previous?.image === '>' && describeToken(actual[0]) === 'end of input') {
      return `${message} (a '>' ends a '< >' block only after ';')`;
    }
    return message;
  },
  buildEarlyExitMessage({ actual, customUserDescription, ruleName }) {
    return `unexpected ${describeToken(actual[0])}, expected ${customUserDescription ?? `a ${ruleName}`}`;
  },
};
