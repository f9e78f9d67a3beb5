// is_str, is_ptr, is_array, is_integer, is_unsigned_integer, is_literal (bpftrace 0.24+ standard
// library): what an expression's type is, known when the script compiles: 1 or 0 (bool in
// bpftrace, an integer here until bpfscript has bool). The expression is not evaluated.
// default_str_length and strcap(s) (0.25+): the capacity of str() results, and of a string.

import type { Call, Expr } from '../ast';
import { isPointer, none, u64, type Type } from '../../common/types';
import { truth } from './map-key-arg';
import type { BuiltinDef, CheckContext, FunctionDef } from './types';

const pointer = (t: Type): boolean => t.kind === 'int' && (isPointer(t) || t.pointee !== undefined);
const literal = (e: Expr): boolean => e.kind === 'IntLit' || e.kind === 'StrLit' || e.kind === 'BoolLit' || (e.kind === 'Unary' && e.op === '-' && e.operand.kind === 'IntLit');

const TESTS: Record<string, (t: Type, e: Expr) => boolean> = {
  // A struct or array copy is string-like in bpfscript's types but not a string to bpftrace.
  is_str: (t) => t.kind === 'string' && t.layout === undefined && t.format === undefined,
  is_ptr: (t) => pointer(t),
  is_array: (t) => t.kind === 'string' && t.layout?.kind === 'array',
  is_integer: (t) => t.kind === 'int' && !pointer(t),
  is_unsigned_integer: (t) => t.kind === 'int' && !pointer(t) && !t.signed,
  is_literal: (_t, e) => literal(e),
};

const results = new WeakMap<Call, boolean>();

function oneArgument(ctx: CheckContext, call: Call): Expr | null {
  if (call.args.length !== 1) {
    ctx.error(`${call.name}() takes one expression`, call);
    return null;
  }
  return call.args[0];
}

export const typeTest = (name: string): FunctionDef => ({
  name,
  check(ctx, call) {
    const e = oneArgument(ctx, call);
    if (!e) return none;
    results.set(call, TESTS[name](ctx.typeOf(e), e));
    return truth(ctx);
  },
  emit: (ctx, call) => ({ type: truth(ctx), v: ctx.constInt(results.get(call) ? 1 : 0) }),
});

export const defaultStrLength: BuiltinDef = {
  examples: [{ script: 'BEGIN { printf("%d\\n", default_str_length); exit(); }', output: '64\n\n\n' }],
  name: 'default_str_length',
  check: () => u64,
  emit: (ctx) => ({ type: u64, v: ctx.constInt(ctx.options.strLen) }),
};

export const strcap: FunctionDef = {
  name: 'strcap',
  check(ctx, call) {
    const e = oneArgument(ctx, call);
    if (!e) return none;
    const t = ctx.typeOf(e);
    if (t.kind !== 'string' && t.kind !== 'none') {
      ctx.error(`strcap() takes a string, got ${t.kind}`, e);
      return none;
    }
    return u64;
  },
  emit: (ctx, call) => {
    const t = ctx.typeOf(call.args[0]);
    return { type: u64, v: ctx.constInt(t.kind === 'string' ? t.size : 0) };
  },
};
