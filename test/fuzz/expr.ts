// Well-typed expressions: integers of every width and signedness through every operator,
// strings (long, escaped, non-ASCII), tuples, variables, map reads and builtins.

import { READABLE_AGGS, castName, randomIntTy, sameTy, type Scope, type TupTy, type ValTy } from './scope';

const INT_LITERALS = ['0', '1', '2', '3', '7', '10', '64', '255', '256', '1000', '65535', '0x7f', '0xff', '0xdeadbeef',
  '2147483647', '4294967295', '4294967296', '0x7fffffffffffffff', '017', '1_000_000', '-1', '-128', '-32768', '-2147483648'];
const BINOPS = ['+', '-', '*', '/', '%', '<<', '>>', '&', '|', '^', '<', '<=', '>', '>=', '==', '!=', '&&', '||'];
const COMMON_BUILTINS = ['pid', 'tid', 'uid', 'gid', 'nsecs', 'cpu', 'elapsed', 'rand', 'cgroup', 'numaid'];
const SHORT_WORDS = ['a', 'ab', 'hello', 'bash', 'x y z', 'tab\\there', 'nl\\n', 'q\\"uote', 'back\\\\slash', 'hex\\x41', 'oct\\101', ''];
const NON_ASCII = ['é', 'ü', 'ß', 'Ω', 'ж', '日本', '語', '🙂', '€', 'ñ'];

/** Byte length of a literal's body as the compiler stores it (escapes are one byte). */
function literalBytes(body: string): number {
  const unescaped = body.replace(/\\x[0-9a-fA-F]{2}|\\[0-7]{1,3}|\\./g, 'e');
  return Buffer.byteLength(unescaped, 'utf8');
}

export function stringLiteral(s: Scope): string {
  const r = s.r;
  switch (r.int(5)) {
    case 0: {
      // Long: right up to the 63 bytes a literal may hold.
      const target = 40 + r.int(24);
      let body = '';
      while (literalBytes(body) < target) body += r.pick(['a', 'b', 'Z', '0', ' ', '_', '-', '\\t']);
      while (literalBytes(body) > 63) body = body.slice(0, -1);
      return `"${body}"`;
    }
    case 1: {
      const target = 1 + r.int(63);
      let body = '';
      for (;;) {
        const next = body + (r.chance(0.5) ? r.pick(NON_ASCII) : r.pick(['a', ' ', 'x', '.']));
        if (literalBytes(next) > target) break;
        body = next;
      }
      return `"${body}"`;
    }
    default:
      return `"${r.pick(SHORT_WORDS)}"`;
  }
}

export class Exprs {
  constructor(private s: Scope) {}

  private get r() {
    return this.s.r;
  }

  int(depth: number): string {
    const r = this.r;
    if (depth <= 0 || r.chance(0.25)) return this.intLeaf();
    switch (r.int(12)) {
      case 0: case 1: case 2: case 3: {
        const op = r.pick(BINOPS);
        const right = op === '<<' || op === '>>' ? this.shiftAmount(depth - 1) : this.int(depth - 1);
        return `(${this.int(depth - 1)} ${op} ${right})`;
      }
      case 4: return `(${this.int(depth - 1)} ${r.pick(['/', '%'])} ${this.int(depth - 1)})`;
      case 5: return `${r.pick(['-', '!', '~'])}(${this.int(depth - 1)})`;
      case 6: return `(${this.int(depth - 1)} ? ${this.int(depth - 1)} : ${this.int(depth - 1)})`;
      case 7: return `(${castName(randomIntTy(r))})(${this.int(depth - 1)})`;
      case 8: return `(${this.str(depth - 1)} ${r.pick(['==', '!='])} ${this.str(depth - 1)})`;
      case 9: return r.chance(0.5)
        ? `strncmp(${this.str(depth - 1)}, ${this.str(depth - 1)}, ${1 + r.int(20)})`
        : `strcontains(${this.str(depth - 1)}, ${this.str(depth - 1)})`;
      case 10: {
        const t = this.tupleSource(depth - 1, (e) => e.k === 'int');
        return t ?? this.intLeaf();
      }
      default: return this.mapRead('int', depth - 1) ?? this.intLeaf();
    }
  }

  private shiftAmount(depth: number): string {
    const r = this.r;
    return r.chance(0.3) ? String(r.int(64)) : `(${this.int(depth)} & 63)`;
  }

  intLeaf(): string {
    const r = this.r;
    const vars = this.s.vars((t) => t.k === 'int');
    switch (r.int(6)) {
      case 0: case 1: return vars.length ? r.pick(vars)[0] : r.pick(INT_LITERALS);
      case 2: return r.pick(INT_LITERALS);
      case 3: return this.probeInt() ?? r.pick(COMMON_BUILTINS);
      case 4: {
        const keyed = this.s.maps.filter((m) => m.key);
        if (keyed.length && r.chance(0.3)) return `len(@${r.pick(keyed).name})`;
        return r.pick(COMMON_BUILTINS);
      }
      default: return `sizeof(${r.pick(['uint8', 'int16', 'uint32', 'int64', 'comm', 'pid'])})`;
    }
  }

  /** The probe's own integer arguments. */
  private probeInt(): string | null {
    const r = this.r;
    switch (this.s.probe) {
      case 'tracepoint': return r.pick(['args->dfd', 'args->flags', 'args->mode', 'args.flags']);
      case 'kprobe': return r.pick(['arg0', 'arg1', 'arg2']);
      default: return null;
    }
  }

  str(depth: number): string {
    const r = this.r;
    const vars = this.s.vars((t) => t.k === 'str');
    switch (r.int(8)) {
      case 0: case 1: return stringLiteral(this.s);
      case 2: return 'comm';
      case 3: if (vars.length) return r.pick(vars)[0];
        return stringLiteral(this.s);
      case 4: if (this.s.probe === 'tracepoint') return r.chance(0.5) ? 'str(args->filename)' : `str(args->filename, ${this.int(Math.min(depth, 1))})`;
        return 'comm';
      case 5: if (depth > 0) return `(${this.int(depth - 1)} ? ${stringLiteral(this.s)} : ${stringLiteral(this.s)})`;
        return stringLiteral(this.s);
      case 6: return (depth > 0 && this.tupleSource(depth - 1, (e) => e.k === 'str')) || stringLiteral(this.s);
      default: return (depth > 0 && this.mapRead('str', depth - 1)) || 'comm';
    }
  }

  /** A value of exactly this type (tuples element by element). */
  value(ty: ValTy, depth: number): string {
    if (ty.k === 'int') {
      // Cast to the declared type so every assignment to a variable keeps its width.
      return this.r.chance(0.5) ? `(${castName(ty)})(${this.int(depth)})` : this.int(depth);
    }
    if (ty.k === 'str') return this.str(depth);
    const same = this.s.vars((t) => sameTy(t, ty));
    if (same.length && this.r.chance(0.3)) return this.r.pick(same)[0];
    return this.tuple(ty, depth);
  }

  tuple(ty: TupTy, depth: number): string {
    return `(${ty.els.map((e) => this.value(e, Math.max(0, depth - 1))).join(', ')})`;
  }

  /** `$t.N` of a tuple variable whose element N fits. */
  private tupleSource(depth: number, want: (e: ValTy) => boolean): string | null {
    const tuples = this.s.vars((t) => t.k === 'tup');
    for (const [name, ty] of tuples) {
      const path = findPath(ty as TupTy, want);
      if (path) return `${name}${path}`;
    }
    return null;
  }

  /** `@m[key]` of a map whose values are of this kind. */
  private mapRead(kind: 'int' | 'str', depth: number): string | null {
    const fits = this.s.maps.filter((m) =>
      m.value.kind === 'plain' ? m.value.ty.k === kind : kind === 'int' && READABLE_AGGS.includes(m.value.fn));
    if (!fits.length) return null;
    const m = this.r.pick(fits);
    return `@${m.name}${this.key(m.key, depth)}`;
  }

  key(key: ValTy[] | null, depth: number): string {
    if (!key) return '';
    return `[${key.map((k) => this.value(k, Math.min(depth, 1))).join(', ')}]`;
  }
}

function findPath(ty: TupTy, want: (e: ValTy) => boolean): string | null {
  for (let i = 0; i < ty.els.length; i++) {
    const e = ty.els[i]!;
    if (want(e)) return `.${i}`;
    if (e.k === 'tup') {
      const rest = findPath(e, want);
      if (rest) return `.${i}${rest}`;
    }
  }
  return null;
}
