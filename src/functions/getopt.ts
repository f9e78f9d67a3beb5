// getopt("name", default[, "description"]) (bpftrace 0.24+; the description 0.25+): the named
// parameter `--name=value` given after `--` on the command line, or `default` without it. The
// default's type is the parameter's: an integer, a string, or true/false; without a default the
// parameter is a flag, true when `--name` is given. The value is fixed when the script compiles,
// as positional parameters are.

import type { Call, Expr } from '../ast';
import { expansion } from './desugar';
import { none, s64, stringType, u64, type Type } from '../types';
import { truth } from './map-key-arg';
import type { CheckContext, FunctionDef } from './types';

type Kind = 'int' | 'string' | 'bool';

/** The value `--name[=value]` gives, '' for a bare flag, or undefined when not given. */
function given(args: readonly string[], name: string): string | undefined {
  let v: string | undefined;
  for (const a of args) {
    if (a === `--${name}`) v = '';
    else if (a.startsWith(`--${name}=`)) v = a.slice(name.length + 3);
  }
  return v;
}

function kindOf(e: Expr | undefined): { kind: Kind; value: bigint | string | boolean } | null {
  if (!e) return { kind: 'bool', value: false };
  if (e.kind === 'IntLit') return { kind: 'int', value: e.value };
  if (e.kind === 'Unary' && e.op === '-' && e.operand.kind === 'IntLit') return { kind: 'int', value: -e.operand.value };
  if (e.kind === 'StrLit') return { kind: 'string', value: e.value };
  if (e.kind === 'BoolLit') return { kind: 'bool', value: e.value };
  return null;
}

function parseInt64(text: string): bigint | undefined {
  const m = /^(-?)(0x[0-9a-f]+|0[0-7]*|[1-9][0-9]*)$/i.exec(text.trim());
  if (!m) return undefined;
  const v = BigInt(m[2].length > 1 && m[2][0] === '0' && !/x/i.test(m[2]) ? `0o${m[2].slice(1)}` : m[2]);
  return m[1] ? -v : v;
}

function parseBool(text: string): boolean | undefined {
  const t = text.toLowerCase();
  if (t === '' || t === 'true' || t === '1') return true;
  if (t === 'false' || t === '0') return false;
  return undefined;
}

/** The literal the call stands for, or an error. */
function resolve(ctx: CheckContext, call: Call): Expr | null {
  const [name, dflt, description, extra] = call.args;
  if (!name || name.kind !== 'StrLit' || extra) {
    ctx.error('getopt() takes a parameter name, a default value and a description: getopt("name", default, "description")', name ?? call, 'for example getopt("depth", 10) reads --depth=N after -- on the command line');
    return null;
  }
  if (description && description.kind !== 'StrLit') {
    ctx.error("getopt()'s description must be a string literal", description);
    return null;
  }
  const d = kindOf(dflt);
  if (!d) {
    ctx.error("getopt()'s default must be a literal: an integer, a string, true or false", dflt!, "it also decides the parameter's type");
    return null;
  }
  const text = given(ctx.options.namedArgs, name.value);
  const span = call.span;
  let value = d.value;
  if (text !== undefined) {
    const parsed = d.kind === 'int' ? parseInt64(text) : d.kind === 'bool' ? parseBool(text) : text;
    if (parsed === undefined) {
      // bpftrace's wording.
      ctx.error(`program command line option --${name.value} invalid ${d.kind === 'int' ? 'integer' : 'boolean'} (value: ${text})`, call, d.kind === 'int' ? `pass a number: --${name.value}=N` : `pass --${name.value}, --${name.value}=true or --${name.value}=false`);
      return null;
    }
    value = parsed;
  }
  if (typeof value === 'string') return { kind: 'StrLit', value, span };
  if (typeof value === 'boolean') return { kind: 'IntLit', value: value ? 1n : 0n, span };
  return { kind: 'IntLit', value, span };
}

const KIND = new WeakMap<Call, Type>();

export const getopt: FunctionDef = {
  name: 'getopt',
  check(ctx, call) {
    const lit = resolve(ctx, call);
    if (!lit) return none;
    const e = expansion(call, () => lit);
    const d = kindOf(call.args[1])!;
    // As bpftrace types them: a flag is a bool (0 or 1 until bpfscript has bool), an integer
    // unsigned unless its default is negative, a string as long as its value.
    const t = d.kind === 'bool' ? truth : d.kind === 'int' ? ((d.value as bigint) < 0n ? s64 : u64) : stringType(Buffer.byteLength((e as { value: string }).value, 'latin1') + 1);
    ctx.typeOf(e);
    KIND.set(call, t);
    return t;
  },
  emit(ctx, call) {
    const e = expansion(call, () => {
      throw new Error('internal: getopt emitted before it was checked');
    });
    const v = ctx.emit(e);
    return { type: KIND.get(call) ?? v.type, v: v.v };
  },
};

/** The names getopt() calls of a program read, in order of appearance. */
function optionNames(node: unknown, out: string[] = []): string[] {
  if (Array.isArray(node)) {
    for (const n of node) optionNames(n, out);
  } else if (node && typeof node === 'object') {
    const call = node as Call;
    if (call.kind === 'Call' && call.name === 'getopt' && call.args[0]?.kind === 'StrLit' && !out.includes(call.args[0].value)) out.push(call.args[0].value);
    for (const [k, v] of Object.entries(node)) if (k !== 'span' && v && typeof v === 'object') optionNames(v, out);
  }
  return out;
}

/** `--name` arguments no getopt() of the program reads are an error, as in bpftrace. */
export function checkNamedArgs(program: object, namedArgs: readonly string[], report: (message: string, hint: string) => void): void {
  const known = optionNames(program);
  const unknown = namedArgs.map((a) => a.slice(2).split('=')[0]).filter((n) => !known.includes(n));
  if (!unknown.length) return;
  report(
    `unexpected program command line options: ${unknown.map((n) => `--${n}`).join(', ')}`,
    known.length ? `expected program options: ${known.map((n) => `--${n}`).join(', ')}` : 'the program reads no named options (getopt("name", default))',
  );
}
