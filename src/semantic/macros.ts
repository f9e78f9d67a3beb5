// Macro expansion (bpftrace 0.26), before every other semantic pass: each call of a macro, `m(…)`,
// `m!(…)` or a bare `m` for one without parameters, becomes a copy of its body as a block
// expression. Hygiene as bpftrace has it: the body reaches the caller's variables and maps only
// through `$x`/`@m` parameters; its own variables are renamed ($$m_x) so they never meet the
// caller's; an expression parameter is replaced by the caller's expression wherever it is used.
// Copied nodes keep their place in the macro and note the call (Span.expandedFrom), so an error
// inside points into the macro and then at each call it came through.

import type { BlockExpr, Builtin, Call, Expr, Let, Macro, MapRef, Program, Span, Variable } from '../ast';
import type { DiagnosticBag } from '../../common/diagnostics';
import { aggregates, builtins, functions } from '../functions';
import { copyTree, someNode, type AnyNode } from './ast-copy';
import { flattenMacroBlocks } from './macro-blocks';
import { argKind, MacroRegistry, reportMismatch } from './macro-registry';

/** Where copying happens: the program's own code (macro null) or one expansion of a macro. */
interface Frame {
  macro: Macro | null;
  vars: Map<string, string>;
  maps: Map<string, string>;
  exprs: Map<string, Expr>;
  /** The expansion's own variables are named `${prefix}_${name}`. */
  prefix: string;
}

const TOP: Frame = { macro: null, vars: new Map(), maps: new Map(), exprs: new Map(), prefix: '' };

/** Expands every macro call in `program`'s probes; `stdlib` are the standard library's macros. */
export function expandMacros(program: Program, stdlib: Macro[], diags: DiagnosticBag): void {
  const registry = new MacroRegistry([...stdlib, ...(program.macros ?? [])], diags);
  refuseFunctionCalls(program, registry, diags);
  const callsOne = (n: AnyNode) =>
    (n.kind === 'Call' || n.kind === 'Builtin') &&
    (registry.has(n.name as string) || rawBuiltin(n.name as string) !== null || (n.kind === 'Call' && !(n.args as Expr[]).length && builtinOnly(n.name as string)));
  // A program that calls no macro keeps its very nodes, unless it has block expressions of its own.
  if (!someNode(program.probes, callsOne)) {
    if (someNode(program.probes, (n) => n.kind === 'BlockExpr' && !!n.value)) flattenMacroBlocks(program, diags);
    return;
  }
  const ex = new Expander(registry, diags);
  program.probes = program.probes.map((p) => ex.copy(p, TOP, (s) => s));
  flattenMacroBlocks(program, diags);
}

/** A name only the builtin registry knows: bpftrace 0.26 also lets one be called, `cpu()`. */
function builtinOnly(name: string): boolean {
  return builtins.has(name) && !functions.has(name) && !aggregates.has(name);
}

/** `__builtin_comm` is `comm` itself, whatever macro of that name a script defines (bpftrace 0.26). */
function rawBuiltin(name: string): string | null {
  const rest = name.startsWith('__builtin_') ? name.slice('__builtin_'.length) : null;
  return rest !== null && builtins.has(rest) ? rest : null;
}

/**
 * bpftrace 0.26 parses and compiles `fn` definitions but has no call for them ("Unknown
 * function"); say what is going on instead, and point at the way that works.
 */
function refuseFunctionCalls(program: Program, registry: MacroRegistry, diags: DiagnosticBag): void {
  const fns = new Set((program.functions ?? []).map((f) => f.name));
  if (!fns.size) return;
  someNode(program.probes, (n) => {
    if (n.kind === 'Call' && fns.has(n.name as string) && !registry.has(n.name as string)) {
      diags.error(`${n.name}() is a user function (fn): bpftrace compiles those but cannot call them, nor can bpfscript yet`, (n as unknown as Call).nameSpan, `write it as a macro: macro ${n.name}(…) { …; value }`);
    }
    return false;
  });
}

/**
 * An expression argument, copied for one use. A block (`m({ $y += 1; $y })`) runs where the
 * macro uses it, as the macro's own statements do: it is marked so, unless it declares variables
 * of its own (a scope then matters).
 */
function argument(passed: Expr, f: Frame): Expr {
  const c = copyTree(passed, null);
  if (c.kind === 'BlockExpr' && !c.macro && !c.stmts.some((s) => s.kind === 'Let')) return { ...c, macro: f.macro?.name ?? '' };
  return c;
}

class Expander {
  private readonly stack: Macro[] = [];
  /** Expansions so far per variable prefix: a second one gets a prefix of its own. */
  private readonly prefixes = new Map<string, number>();

  constructor(
    private readonly registry: MacroRegistry,
    private readonly diags: DiagnosticBag,
  ) {}

  copy<T>(node: T, frame: Frame, span: (s: Span) => Span): T {
    return copyTree(node, (n, copy) => this.hook(n, copy, frame, span), span);
  }

  private hook(n: AnyNode, copy: <T>(c: T) => T, f: Frame, span: (s: Span) => Span): unknown {
    const node = n as unknown as Expr | Let;
    switch (node.kind) {
      case 'Variable':
        if (!f.macro) return undefined;
        return { ...node, name: f.vars.get(node.name) ?? `${f.prefix}_${node.name}`, span: span(node.span) } satisfies Variable;
      case 'MapRef': {
        if (!f.macro) return undefined;
        const name = f.maps.get(node.name);
        if (name === undefined) this.diags.error(`Unhygienic access to map: @${node.name}. Maps must be passed into the macro as arguments.`, span(node.span));
        return { ...node, name: name ?? node.name, keys: copy(node.keys), span: span(node.span) } satisfies MapRef;
      }
      case 'Unary':
        // An expression parameter is a value: only a `$x` parameter lends the macro a variable.
        if (node.op.length > 1 && node.operand.kind === 'Builtin' && f.exprs.has(node.operand.name)) {
          this.diags.error(`macro parameter ${node.operand.name} is an expression and cannot be changed`, span(node.span), `declare it as $${node.operand.name} to change the caller's variable`);
        }
        return undefined;
      case 'Let':
        if (f.vars.has(node.variable.name)) this.diags.error(`Variable declaration shadows macro arg $${node.variable.name}`, span(node.span));
        return undefined;
      case 'Builtin': {
        // The caller's expression, as the caller wrote it: it is not the macro's to rename.
        const passed = f.exprs.get(node.name);
        if (passed) return argument(passed, f);
        const raw = rawBuiltin(node.name);
        if (raw !== null) return { ...node, name: raw, span: span(node.span) } satisfies Builtin;
        return this.call(node, [], f, span) ?? undefined;
      }
      case 'Call': {
        // Arguments are the caller's code: copied (renamed, substituted) in the caller's frame.
        const args = copy(node.args);
        const expanded = this.call(node, args, f, span);
        if (expanded) return expanded;
        if (!args.length && builtinOnly(node.name)) return { kind: 'Builtin', name: node.name, span: span(node.span) } satisfies Builtin;
        return undefined;
      }
      default:
        return undefined;
    }
  }

  /** The expansion of `site` if it calls a macro, else null (a builtin, a function, or an error reported). */
  private call(site: Call | Builtin, args: Expr[], f: Frame, span: (s: Span) => Span): BlockExpr | null {
    if (!this.registry.has(site.name)) {
      if (site.kind === 'Call' && site.bang) this.diags.error(`Unknown macro: ${site.name}!`, span(site.nameSpan), 'macros are defined with macro NAME(params) { … } or imported');
      return null;
    }
    const at = span(site.span);
    const inStdlib = f.macro?.stdlib ? true : undefined;
    const found = this.registry.lookup(site.name, args.map(argKind), inStdlib);
    if (!('macro' in found)) {
      // What bpftrace's library wraps in macros, a builtin or function module implements here:
      // that module takes the calls no macro matches.
      const module = builtins.has(site.name) || functions.has(site.name) || aggregates.has(site.name);
      // A bare name the library has only with parameters may be the script's own constant (#define).
      const constant = site.kind === 'Builtin' && found.closest.every((m) => m.stdlib);
      if (found.closest.length && !module && !constant) reportMismatch(this.diags, site.name, at, args, found.closest[0]);
      return null;
    }
    const macro = found.macro;
    const from = this.stack.indexOf(macro);
    if (from >= 0) {
      const chain = [...this.stack.slice(from), macro].map((m) => m.name).join(' > ');
      this.diags.error(`Recursive macro call detected. Call chain: ${chain}`, at);
      return null;
    }
    this.stack.push(macro);
    try {
      return this.expand(macro, args, at);
    } finally {
      this.stack.pop();
    }
  }

  private expand(macro: Macro, args: Expr[], at: Span): BlockExpr {
    const frame: Frame = { macro, vars: new Map(), maps: new Map(), exprs: new Map(), prefix: this.prefix(macro) };
    macro.params.forEach((p, i) => {
      const arg = args[i];
      if (p.sigil === '$' && arg.kind === 'Variable') frame.vars.set(p.name, arg.name);
      else if (p.sigil === '@' && arg.kind === 'MapRef') frame.maps.set(p.name, arg.name);
      else frame.exprs.set(p.name, arg);
    });
    const body: BlockExpr = { kind: 'BlockExpr', stmts: macro.body.stmts, value: macro.value, span: macro.body.span };
    const copied = this.copy(body, frame, (s) => ({ ...s, expandedFrom: at }));
    return { ...copied, span: at, macro: macro.name };
  }

  /** bpftrace's `$$name` (`$$name_DEPTH` when nested), made unique per expansion. */
  private prefix(macro: Macro): string {
    const base = `$${macro.name}${this.stack.length > 1 ? `_${this.stack.length}` : ''}`;
    const n = this.prefixes.get(base) ?? 0;
    this.prefixes.set(base, n + 1);
    return n === 0 ? base : `${base}#${n}`;
  }
}
