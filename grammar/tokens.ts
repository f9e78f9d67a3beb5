// The token vocabulary shared by the hand-written lexer (lexer.ts) and the chevrotain parser.
// Token types are chevrotain objects, so they are created on first use, after chevrotain loads.
// `label` is how a token is named in error messages ("expected ')'").

import type { TokenType } from 'chevrotain';
import { chevrotain } from './chevrotain';

function build() {
  const { createToken, Lexer } = chevrotain();
  const tok = (name: string, label: string, categories?: TokenType[]): TokenType =>
    // An explicit `categories: undefined` would be taken as a list holding undefined.
    createToken(categories ? { name, label, pattern: Lexer.NA, categories } : { name, label, pattern: Lexer.NA });

  // Categories let one parser rule accept a whole class of tokens.
  const BinaryOp = tok('BinaryOp', 'a binary operator');
  // Words that may follow '.' or '->' even though they are keywords elsewhere (`args->string`).
  const FieldName = tok('FieldName', 'a field name');
  const PrefixOp = tok('PrefixOp', 'a unary operator');

  const Identifier = tok('Identifier', 'an identifier', [FieldName]);
  const kw = (word: string) => tok(word[0]!.toUpperCase() + word.slice(1), `'${word}'`, [FieldName]);

  const T = {
    BinaryOp,
    FieldName,
    PrefixOp,

    AttachPoint: tok('AttachPoint', 'an attach point'),
    Include: tok('Include', "'#include'"),
    Preprocessor: tok('Preprocessor', 'a preprocessor line'),
    // Words that open a top-level declaration; the lexer emits them only at the top level, so
    // elsewhere they stay ordinary identifiers.
    Config: tok('Config', "'config'"),
    Import: tok('Import', "'import'"),
    Macro: tok('Macro', "'macro'"),
    Fn: tok('Fn', "'fn'"),
    PredSlash: tok('PredSlash', "'/'"),
    AngleOpen: tok('AngleOpen', "'<'"),
    AngleClose: tok('AngleClose', "'>'"),

    LCurly: tok('LCurly', "'{'"),
    RCurly: tok('RCurly', "'}'"),
    LParen: tok('LParen', "'('"),
    RParen: tok('RParen', "')'"),
    LBracket: tok('LBracket', "'['"),
    RBracket: tok('RBracket', "']'"),
    Comma: tok('Comma', "','"),
    Semi: tok('Semi', "';'"),
    Colon: tok('Colon', "':'"),
    Question: tok('Question', "'?'"),
    Dot: tok('Dot', "'.'"),
    DotDot: tok('DotDot', "'..'"),
    Arrow: tok('Arrow', "'->'"),
    Assign: tok('Assign', "'='"),
    CompoundAssign: tok('CompoundAssign', 'a compound assignment'),
    PlusPlus: tok('PlusPlus', "'++'", [PrefixOp]),
    MinusMinus: tok('MinusMinus', "'--'", [PrefixOp]),

    Plus: tok('Plus', "'+'", [BinaryOp]),
    Minus: tok('Minus', "'-'", [BinaryOp, PrefixOp]),
    Star: tok('Star', "'*'", [BinaryOp, PrefixOp]),
    Slash: tok('Slash', "'/'", [BinaryOp]),
    Percent: tok('Percent', "'%'", [BinaryOp]),
    Shl: tok('Shl', "'<<'", [BinaryOp]),
    Shr: tok('Shr', "'>>'", [BinaryOp]),
    Less: tok('Less', "'<'", [BinaryOp]),
    LessEq: tok('LessEq', "'<='", [BinaryOp]),
    Greater: tok('Greater', "'>'", [BinaryOp]),
    GreaterEq: tok('GreaterEq', "'>='", [BinaryOp]),
    EqEq: tok('EqEq', "'=='", [BinaryOp]),
    NotEq: tok('NotEq', "'!='", [BinaryOp]),
    Amp: tok('Amp', "'&'", [BinaryOp, PrefixOp]),
    Pipe: tok('Pipe', "'|'", [BinaryOp]),
    Caret: tok('Caret', "'^'", [BinaryOp]),
    Tilde: tok('Tilde', "'~'", [PrefixOp]),
    Bang: tok('Bang', "'!'", [PrefixOp]),
    AndAnd: tok('AndAnd', "'&&'", [BinaryOp]),
    OrOr: tok('OrOr', "'||'", [BinaryOp]),

    Int: tok('Int', 'an integer'),
    String: tok('String', 'a string'),
    Identifier,
    TypeName: tok('TypeName', 'a type name', [FieldName]),
    Variable: tok('Variable', 'a variable'),
    Positional: tok('Positional', 'a positional parameter'),
    MapName: tok('MapName', 'a map'),

    If: kw('if'),
    Else: kw('else'),
    While: kw('while'),
    Unroll: kw('unroll'),
    Break: kw('break'),
    Continue: kw('continue'),
    Return: kw('return'),
    Sizeof: kw('sizeof'),
    Struct: kw('struct'),
    Union: kw('union'),
    Enum: kw('enum'),
    For: kw('for'),
    Let: kw('let'),
    Offsetof: kw('offsetof'),
    True: kw('true'),
    False: kw('false'),
  };
  return T;
}

export type Tokens = ReturnType<typeof build>;

let cached: Tokens | undefined;
export function tokens(): Tokens {
  return (cached ??= build());
}

export function allTokenTypes(): TokenType[] {
  return Object.values(tokens());
}

/** Words lexed as keywords; everything else that looks like a word is an Identifier. */
export const KEYWORDS = [
  'if', 'else', 'while', 'unroll', 'break', 'continue', 'return', 'sizeof', 'struct', 'union', 'enum',
  'for', 'let', 'offsetof', 'true', 'false',
] as const;

/**
 * Type names that may open a cast `(uint32)e` or appear in `sizeof(...)`. They are their own token
 * so `(uint32)x` and `(pid)` are told apart with two tokens of lookahead, as bpftrace does with its
 * fixed set of type keywords.
 */
export const TYPE_NAMES = new Set([
  'bool', 'int8', 'int16', 'int32', 'int64', 'uint8', 'uint16', 'uint32', 'uint64',
  'void', 'char', 'short', 'int', 'long', 'signed', 'unsigned', 'const', 'volatile',
]);
