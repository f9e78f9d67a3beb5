// getopt("name", default) (bpftrace 0.24+): a named program option given after `--` on the
// command line (`-- --name=value`, or `--name` alone for a boolean). Its type comes from the
// default: a non-negative integer reads the option as a u64, a negative one as an i64, a string
// as a string, true/false or no default as a boolean. Like the positional parameters, options are
// fixed for a compile (the compile cache keys them), so the value is a constant in the program;
// in an artifact (LanguageOptions.loadTimeOptions) it is read from a .rodata slot the run fills.

import type { Call, Expr, Program } from '../ast';
import { BpfscriptError } from '../../common/diagnostics';
import { parseIntArg } from '../semantic/positionals';
import { none, s64, stringType, u64, type Type } from '../../common/types';
import type { FunctionDef } from './types';

/** Named options as the command line gave them: the text after `=`, or true for a bare `--name`. */
export type NamedOptions = ReadonlyMap<string, string | true>;

type Value = { type: Type; value: bigint | string; lit?: Expr; slot?: undefined } | { type: Type; slot: number };

/** A getopt() default as written: an integer (maybe negated), a string or a boolean literal. */
export type OptionDefault = { kind: 'IntLit'; value: bigint } | { kind: 'StrLit'; value: string } | { kind: 'BoolLit'; value: boolean } | { kind: 'Unary'; op: '-'; operand: { kind: 'IntLit'; value: bigint } };

/** A getopt() option as an artifact carries it; the N-th is read at run time from the slot `optN`. */
export interface DeclaredOption {
  name: string;
  default?: OptionDefault;
  description: string;
}

type Kind = 'bool' | 'string' | 'int';
const kindOf = (dflt: { kind: string } | undefined): Kind => (!dflt || dflt.kind === 'BoolLit' ? 'bool' : dflt.kind === 'StrLit' ? 'string' : 'int');
const intDefault = (dflt: OptionDefault | Expr | undefined): bigint =>
  dflt?.kind === 'IntLit' ? dflt.value : dflt?.kind === 'Unary' && dflt.op === '-' && dflt.operand.kind === 'IntLit' ? -dflt.operand.value : 0n;

const U64_MAX = (1n << 64n) - 1n;
const I64_MIN = -(1n << 63n);
const I64_MAX = (1n << 63n) - 1n;

function optionError(name: string, value: string, why: string): BpfscriptError {
  return new BpfscriptError({ severity: 'ERROR', message: `program command line option --${name} ${why} (value: ${value})` });
}

/** The option's value read as its default's type says; throws bpftrace's message for a bad one. */
export function optionValue(name: string, dflt: OptionDefault | Expr | undefined, given: string | true | undefined): { type: Type; value: bigint | string } {
  const kind = kindOf(dflt);
  if (kind === 'bool') {
    const d = dflt?.kind === 'BoolLit' ? dflt.value : false;
    if (given === undefined) return { type: { kind: 'bool' }, value: d ? 1n : 0n };
    if (given === true || /^(true|1|yes|on)$/i.test(given)) return { type: { kind: 'bool' }, value: 1n };
    if (/^(false|0|no|off)$/i.test(given)) return { type: { kind: 'bool' }, value: 0n };
    throw optionError(name, given, "expects a boolean (e.g. 'true')");
  }
  if (kind === 'string') {
    if (given === true) throw optionError(name, 'true', 'expects a string');
    const s = given ?? (dflt as { value: string }).value;
    return { type: { kind: 'string', size: Buffer.byteLength(s, 'latin1') + 1 }, value: s };
  }
  const d = intDefault(dflt);
  const unsigned = d >= 0n;
  if (given === true) throw optionError(name, 'true', 'expects an integer');
  const v = given === undefined ? d : parseIntArg(given);
  if (v === null) throw optionError(name, String(given), 'invalid integer');
  if (unsigned ? v < 0n || v > U64_MAX : v < I64_MIN || v > I64_MAX) throw optionError(name, String(given), 'value is out of range');
  return { type: unsigned ? u64 : s64, value: v };
}

const resolved = new WeakMap<Call, Value>();

export const getopt: FunctionDef = {
  name: 'getopt',
  check(ctx, call) {
    const [nameArg, dflt, desc] = call.args;
    if (!nameArg || call.args.length > 3) {
      ctx.error(`getopt() takes 1 to 3 arguments (${call.args.length} provided)`, call, 'getopt("name", default, "description"), e.g. getopt("limit", 10)');
      return none;
    }
    if (nameArg.kind !== 'StrLit') {
      ctx.error('getopt() expects a string literal as its first argument, the option\'s name', nameArg, 'e.g. getopt("verbose")');
      return none;
    }
    const literal = !dflt || ['IntLit', 'StrLit', 'BoolLit'].includes(dflt.kind) || (dflt.kind === 'Unary' && dflt.op === '-' && dflt.operand.kind === 'IntLit');
    if (!literal) {
      ctx.error('getopt()\'s default must be a literal: an integer, a string, true or false', dflt, 'e.g. getopt("limit", 10)');
      return none;
    }
    if (desc && desc.kind !== 'StrLit') ctx.error('getopt()\'s description must be a string literal', desc);
    const slot = ctx.options.loadTimeOptions?.findIndex((o) => o.name === nameArg.value);
    if (slot !== undefined && slot >= 0) return loadTimeType(ctx, call, slot, dflt);
    try {
      const v: Value = optionValue(nameArg.value, dflt, ctx.options.namedOptions?.get(nameArg.value));
      // A string is emitted as the literal it stands for, typed here like any other.
      if (typeof v.value === 'string') {
        v.lit = { kind: 'StrLit', value: v.value, span: call.span };
        ctx.typeOf(v.lit);
      }
      resolved.set(call, v);
      return v.type;
    } catch (e) {
      if (!(e instanceof BpfscriptError)) throw e;
      // bpftrace 0.26 says it of the command line, not of the script: no location.
      if (ctx.options.dialect === '0.26') throw e;
      ctx.error(e.diagnostics[0].message, call, 'a program option is given after --, e.g. -- --limit=10');
      return none;
    }
  },
  emit(ctx, call) {
    const v = resolved.get(call)!;
    if (v.slot !== undefined) {
      if (v.type.kind !== 'string') return { type: v.type, v: ctx.config(`opt${v.slot}`) };
      // Copied out of .rodata, as str($N) does: the value then lives where any string does.
      const buf = ctx.scratch(v.type.size, 'getopt');
      ctx.b.memcpy(buf, ctx.configBytes(`opt${v.slot}`), v.type.size);
      return { type: v.type, v: buf };
    }
    if (typeof v.value === 'bigint') return { type: v.type, v: ctx.c.constInt(ctx.i64, v.value) };
    return { type: v.type, v: ctx.emit(v.lit!).v };
  },
};

/**
 * An artifact's getopt(): typed by its default as at compile time, but a string is strLen bytes,
 * whatever the run gives. Every call of one name shares the first call's slot, so their defaults
 * must be of one kind.
 */
function loadTimeType(ctx: Parameters<FunctionDef['check']>[0], call: Call, slot: number, dflt: Expr | undefined): Type {
  const first = ctx.options.loadTimeOptions![slot];
  const kind = kindOf(first.default);
  if (kindOf(dflt) !== kind || (kind === 'int' && intDefault(dflt) < 0n !== intDefault(first.default) < 0n)) {
    ctx.error(`getopt("${first.name}") is read with defaults of different types`, call, 'an artifact reads each option into one slot: give every getopt() of a name the same kind of default');
    return none;
  }
  const type: Type = kind === 'bool' ? { kind: 'bool' } : kind === 'string' ? stringType(ctx.options.strLen) : intDefault(first.default) < 0n ? s64 : u64;
  resolved.set(call, { type, slot });
  return type;
}

/** Every getopt() of the program, once per name, in the order written (an artifact's slots). */
export function declaredOptionList(program: Program): DeclaredOption[] {
  return [...declaredOptions(program).entries()].map(([name, { dflt, description }]) => ({ name, description, ...(dflt ? { default: literal(dflt) } : {}) }));
}

/** A default's literal without its source spans (checked by getopt's check before it matters). */
function literal(e: Expr): OptionDefault | undefined {
  if (e.kind === 'IntLit' || e.kind === 'StrLit' || e.kind === 'BoolLit') return { kind: e.kind, value: e.value } as OptionDefault;
  if (e.kind === 'Unary' && e.op === '-' && e.operand.kind === 'IntLit') return { kind: 'Unary', op: '-', operand: { kind: 'IntLit', value: e.operand.value } };
  return undefined;
}

/** Every getopt() of the program: name, default and description, in the order written. */
function declaredOptions(program: Program): Map<string, { dflt?: Expr; description: string }> {
  const found = new Map<string, { dflt?: Expr; description: string }>();
  const visit = (node: unknown): void => {
    if (Array.isArray(node)) return node.forEach(visit);
    if (!node || typeof node !== 'object') return;
    const n = node as Call;
    if (n.kind === 'Call' && n.name === 'getopt' && n.args[0]?.kind === 'StrLit') {
      const d = n.args[2];
      if (!found.has(n.args[0].value)) found.set(n.args[0].value, { dflt: n.args[1], description: d?.kind === 'StrLit' ? d.value : '' });
    }
    for (const [k, v] of Object.entries(node)) if (k !== 'span' && v && typeof v === 'object') visit(v);
  };
  visit(program.probes);
  return found;
}

/** Whether the script reads named options: then `--name` arguments after `--` are options. */
export function usesGetopt(source: string): boolean {
  return /\bgetopt\s*\(/.test(source);
}

/**
 * Refuses options the program does not declare, with bpftrace's words; `--help` lists the
 * declared ones (with their descriptions) and fails the same way.
 */
export function checkNamedOptions(program: Program, given: NamedOptions): void {
  if (!given.size) return;
  refuseUndeclared(new Map([...declaredOptions(program)].map(([n, d]) => [n, d.description])), given);
}

/** checkNamedOptions for a program known by its options' names and descriptions (an artifact's). */
export function refuseUndeclared(declared: ReadonlyMap<string, string>, given: NamedOptions): void {
  const unexpected = [...given.keys()].filter((k) => !declared.has(k));
  if (!unexpected.length) return;
  const help = unexpected.includes('help');
  const names = [...declared.entries()];
  const hint = !names.length
    ? 'no custom program options defined.'
    : `expected program options:${help ? '\n' : ' '}${names.map(([n, d]) => `--${n}${help && d ? `: ${d}` : ''}`).join(help ? '\n' : ': ')}`;
  const bad = unexpected.filter((k) => k !== 'help');
  throw new BpfscriptError({ severity: 'ERROR', message: bad.length ? `unexpected program command line options: ${bad.map((k) => `--${k}`).join(', ')}` : '--help: the program reads these options', hint });
}

/** Splits the arguments after the script into positionals and `--name[=value]` options. */
export function splitProgramArgs(args: readonly string[]): { positionals: string[]; named: Map<string, string | true> } {
  const positionals: string[] = [];
  const named = new Map<string, string | true>();
  for (const a of args) {
    const m = /^--([^=]+)(?:=(.*))?$/s.exec(a);
    if (m) named.set(m[1], m[2] ?? true);
    else positionals.push(a);
  }
  return { positionals, named };
}
