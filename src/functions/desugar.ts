// Builtins and functions that newer bpftrace defines in its own script standard library (ppid,
// pcomm, is_err …) are written here as the expression they stand for, built once per use and
// checked and emitted like any other expression. The built nodes carry the span of the use, so a
// diagnostic points at what the user wrote.

import type { Builtin, Call, Expr, Span } from '../ast';
import type { BuiltinDef, CheckContext, EmitContext, FunctionDef } from './types';
import { none, type Type } from '../../common/types';

const built = new WeakMap<object, Expr>();

/** The expression `node` stands for, built on first use and the same object afterwards. */
export function expansion(node: Builtin | Call, build: () => Expr): Expr {
  let e = built.get(node);
  if (!e) built.set(node, (e = build()));
  return e;
}

/** Node builders: every node takes the span of the use it expands. */
export const at = (span: Span) => ({
  builtin: (name: string): Expr => ({ kind: 'Builtin', name, span }),
  int: (value: bigint): Expr => ({ kind: 'IntLit', value, span }),
  arrow: (target: Expr, field: string): Expr => ({ kind: 'FieldAccess', target, field, arrow: true, fieldSpan: span, span }),
  cast: (name: string, operand: Expr, pointerDepth = 0): Expr => ({ kind: 'Cast', type: { kind: 'TypeRef', name, pointerDepth, arrayLength: null, span }, operand, span }),
  binary: (op: Extract<Expr, { kind: 'Binary' }>['op'], left: Expr, right: Expr): Expr => ({ kind: 'Binary', op, left, right, span }) as Expr,
});

/** A builtin that stands for an expression. */
export function builtinFor(name: string, build: (node: Builtin) => Expr): BuiltinDef {
  return {
    name,
    check: (ctx, node) => ctx.typeOf(expansion(node, () => build(node))),
    emit: (ctx, node) => ctx.emit(expansion(node, () => build(node))),
  };
}

/**
 * A function that stands for an expression of its arguments. `arity` lists the argument counts
 * it takes; `usage` is how to call it, for the error when the count is wrong.
 */
export function functionFor(name: string, arity: number[], usage: string, build: (call: Call) => Expr, check?: (ctx: CheckContext, call: Call) => boolean): FunctionDef {
  return {
    name,
    check(ctx, call): Type {
      if (!arity.includes(call.args.length)) {
        ctx.error(`${name}() takes ${arityText(arity)}: ${usage}`, call);
        return none;
      }
      if (check && !check(ctx, call)) return none;
      return ctx.typeOf(expansion(call, () => build(call)));
    },
    emit: (ctx: EmitContext, call) => ctx.emit(expansion(call, () => build(call))),
  };
}

function arityText(arity: number[]): string {
  if (arity.length === 1 && arity[0] === 0) return 'no arguments';
  return `${arity.join(' or ')} argument${arity.length === 1 && arity[0] === 1 ? '' : 's'}`;
}

const callStyle = new Map<string, FunctionDef>();

/**
 * `pid()`, `comm()`: bpftrace 0.24+ lets a builtin be called like a function of no arguments. The
 * call stands for the builtin; undefined when `name` is no builtin.
 */
export function builtinCall(name: string, isBuiltin: (name: string) => boolean): FunctionDef | undefined {
  if (!isBuiltin(name)) return undefined;
  let def = callStyle.get(name);
  if (!def) {
    def = functionFor(name, [0], `${name} or ${name}()`, (call) => at(call.span).builtin(name));
    callStyle.set(name, def);
  }
  return def;
}
