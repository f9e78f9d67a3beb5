// Well-typed programs: probes of several kinds holding assignments to variables and maps of every
// kind, every aggregation, compound assignments, if/else, bounded while loops, unroll, printf with
// formats that match their arguments, print/delete/clear/zero.

import { Exprs, stringLiteral } from './expr';
import { rng, programSeed } from './rng';
import { AGGS, castName, randomIntTy, randomValTy, Scope, type Agg, type IntTy, type MapInfo, type ProbeKind, type ValTy } from './scope';

const ATTACH: Record<Exclude<ProbeKind, 'BEGIN' | 'END'>, string[]> = {
  interval: ['interval:ms:100', 'interval:s:1', 'i:ms:250'],
  tracepoint: ['tracepoint:syscalls:sys_enter_openat'],
  kprobe: ['kprobe:vfs_read', 'kprobe:do_sys_openat2'],
  profile: ['profile:hz:99'],
};

/** Program `index` of the run seeded with `seed`. */
export function generateProgram(seed: number, index: number): string {
  return new ProgramGen(new Scope(rng(programSeed(seed, index)))).program();
}

class ProgramGen {
  private e: Exprs;
  constructor(private s: Scope) {
    this.e = new Exprs(s);
  }

  private get r() {
    return this.s.r;
  }

  program(): string {
    const r = this.r;
    const kinds: ProbeKind[] = [];
    if (r.chance(0.7)) kinds.push('BEGIN');
    for (let i = 0, n = r.int(3); i < n; i++) kinds.push(r.pick(['interval', 'tracepoint', 'kprobe', 'profile'] as const));
    if (r.chance(0.4) || !kinds.length) kinds.push('END');
    return kinds.map((k) => this.probe(k)).join('\n');
  }

  private probe(kind: ProbeKind): string {
    const r = this.r;
    this.s.enterProbe(kind);
    const head = kind === 'BEGIN' || kind === 'END' ? kind : r.pick(ATTACH[kind]);
    const pred = kind !== 'BEGIN' && kind !== 'END' && r.chance(0.2) ? ` /${this.e.int(2)}/` : '';
    const body = this.block(2 + r.int(7), 3, '  ');
    return `${head}${pred}\n{\n${body}}\n`;
  }

  private block(n: number, depth: number, indent: string): string {
    let out = '';
    for (let i = 0; i < n; i++) out += this.statement(depth, indent);
    return out;
  }

  private nested(n: number, depth: number, indent: string): string {
    this.s.push();
    const body = this.block(n, depth, indent + '  ');
    this.s.pop();
    return body;
  }

  private statement(depth: number, indent: string): string {
    const r = this.r;
    const ed = 1 + r.int(3);
    const k = r.int(depth > 0 ? 20 : 14);
    switch (k) {
      case 0: case 1: case 2: return `${indent}${this.assignVar(ed)};\n`;
      case 3: case 4: return `${indent}${this.assignMap(ed)};\n`;
      case 5: case 6: return `${indent}${this.aggregate(ed)};\n`;
      case 7: return `${indent}${this.compound(ed)};\n`;
      case 8: case 9: return `${indent}${this.printf(ed)};\n`;
      case 10: return `${indent}${this.print(ed)};\n`;
      case 11: return `${indent}${this.mapFunction(ed)};\n`;
      case 12: return `${indent}${this.assignVar(ed)};\n`;
      case 13: return `${indent}${this.aggregate(ed)};\n`;
      case 14: case 15: {
        let out = `${indent}if (${this.e.int(ed)}) {\n${this.nested(1 + r.int(3), depth - 1, indent)}${indent}}`;
        while (r.chance(0.3)) out += ` else if (${this.e.int(ed)}) {\n${this.nested(1 + r.int(2), depth - 1, indent)}${indent}}`;
        if (r.chance(0.5)) out += ` else {\n${this.nested(1 + r.int(3), depth - 1, indent)}${indent}}`;
        return out + '\n';
      }
      case 16: case 17: return this.s.loopDepth < 2 ? this.whileLoop(depth, indent) : this.statement(0, indent);
      case 18: return this.s.loopDepth < 2 ? this.unroll(depth, indent) : this.statement(0, indent);
      default: return `${indent}if (${this.e.int(ed)}) { ${this.assignMap(ed)} }\n`;
    }
  }

  /** A loop the verifier can bound: a counter that only grows, checked first, bumped last. */
  private whileLoop(depth: number, indent: string): string {
    const r = this.r;
    const i = `$${this.s.fresh('i')}`;
    const bound = 1 + r.int(this.s.loopDepth ? 4 : 10);
    this.s.loopDepth++;
    this.s.push();
    let body = this.block(1 + r.int(3), depth - 1, indent + '  ');
    if (r.chance(0.3)) body += `${indent}  if (${this.e.int(1)}) { ${r.chance(0.5) ? 'break' : `${i}++; continue`}; }\n`;
    this.s.pop();
    this.s.loopDepth--;
    // Declared after the body was made, so the body never assigns the counter.
    this.s.declare(i, { k: 'int', bits: 64, signed: true });
    return `${indent}${i} = 0;\n${indent}while (${i} < ${bound}) {\n${body}${indent}  ${i}++;\n${indent}}\n`;
  }

  private unroll(depth: number, indent: string): string {
    const r = this.r;
    this.s.loopDepth++;
    const body = this.nested(1 + r.int(3), depth - 1, indent);
    this.s.loopDepth--;
    return `${indent}unroll(${1 + r.int(this.s.loopDepth ? 3 : 6)}) {\n${body}${indent}}\n`;
  }

  private assignVar(depth: number): string {
    const r = this.r;
    // Loop counters ($iN) are only ever bumped by their loop.
    const existing = this.s.vars(() => true).filter(([n]) => n.startsWith('$v'));
    if (existing.length && r.chance(0.4)) {
      const [name, ty] = r.pick(existing);
      return `${name} = ${this.e.value(ty, depth)}`;
    }
    const ty = randomValTy(r);
    const rhs = this.e.value(ty, depth);
    const name = `$${this.s.fresh('v')}`;
    this.s.declare(name, ty);
    return `${name} = ${rhs}`;
  }

  private assignMap(depth: number): string {
    const r = this.r;
    const plain = this.s.maps.filter((m) => m.value.kind === 'plain');
    if (plain.length && r.chance(0.5)) {
      const m = r.pick(plain);
      return `@${m.name}${this.e.key(m.key, depth)} = ${this.e.value((m.value as { ty: ValTy }).ty, depth)}`;
    }
    const key = this.randomKey();
    const ty = randomValTy(r);
    const text = `${this.e.key(key, depth)} = ${this.e.value(ty, depth)}`;
    const m: MapInfo = { name: this.s.fresh('m'), key, value: { kind: 'plain', ty } };
    this.s.maps.push(m);
    return `@${m.name}${text}`;
  }

  private randomKey(): ValTy[] | null {
    const r = this.r;
    switch (r.int(4)) {
      case 0: return null;
      case 1: return [randomIntTy(r)];
      case 2: return [{ k: 'str' }];
      default: return Array.from({ length: 2 + r.int(2) }, () => (r.chance(0.6) ? randomIntTy(r) : { k: 'str' as const }));
    }
  }

  private aggregate(depth: number): string {
    const r = this.r;
    const aggs = this.s.maps.filter((m) => m.value.kind === 'agg');
    let m: MapInfo;
    if (aggs.length && r.chance(0.4)) m = r.pick(aggs);
    else {
      m = { name: this.s.fresh('a'), key: this.randomKey(), value: { kind: 'agg', fn: r.pick(AGGS), arg: randomIntTy(r), bounds: r.pick(LHIST_BOUNDS) } };
    }
    const key = this.e.key(m.key, depth);
    const v = m.value as { fn: Agg; arg: IntTy; bounds: string };
    const call = aggCall(v.fn, `(${castName(v.arg)})(${this.e.int(depth)})`, v.bounds);
    if (!this.s.maps.includes(m)) this.s.maps.push(m);
    return `@${m.name}${key} = ${call}`;
  }

  private compound(depth: number): string {
    const r = this.r;
    const op = r.pick(['+=', '-=', '*=', '/=', '%=', '&=', '|=', '^=', '<<=', '>>=']);
    const rhs = op === '<<=' || op === '>>=' ? String(r.int(64)) : this.e.int(depth);
    const ints = this.s.maps.filter((m) => m.value.kind === 'plain' && m.value.ty.k === 'int');
    const vars = this.s.vars((t) => t.k === 'int').filter(([n]) => n.startsWith('$v'));
    if (vars.length && r.chance(0.5)) {
      const [v] = r.pick(vars);
      return r.chance(0.2) ? `${v}${r.pick(['++', '--'])}` : `${v} ${op} ${rhs}`;
    }
    if (ints.length) {
      const m = r.pick(ints);
      const target = `@${m.name}${this.e.key(m.key, depth)}`;
      return r.chance(0.2) ? `${r.pick(['++', '--'])}${target}` : `${target} ${op} ${rhs}`;
    }
    return this.assignMap(depth);
  }

  private printf(depth: number): string {
    const r = this.r;
    const parts: string[] = [];
    const args: string[] = [];
    for (let i = 0, n = r.int(5); i < n; i++) {
      parts.push(r.pick(['', 'x=', ' | ', ': ', 'é ']));
      if (r.chance(0.6)) {
        parts.push(r.pick(['%d', '%u', '%x', '%5d', '%-4d', '%lu', '%llx', '%ld']));
        args.push(this.e.int(depth));
      } else {
        parts.push(r.pick(['%s', '%10s', '%-8s']));
        args.push(this.e.str(depth));
      }
    }
    if (r.chance(0.2)) parts.push(' 100%% ');
    const fmt = parts.join('') + '\\n';
    return `printf("${fmt}"${args.map((a) => `, ${a}`).join('')})`;
  }

  private print(depth: number): string {
    const r = this.r;
    if (this.s.maps.length && r.chance(0.4)) return `print(@${r.pick(this.s.maps).name})`;
    return `print(${this.e.value(randomValTy(r), depth)})`;
  }

  private mapFunction(depth: number): string {
    const r = this.r;
    if (!this.s.maps.length) return `printf("%s\\n", ${stringLiteral(this.s)})`;
    const m = r.pick(this.s.maps);
    if (m.key && r.chance(0.5)) return `delete(@${m.name}${this.e.key(m.key, depth)})`;
    return `${r.pick(['clear', 'zero'])}(@${m.name})`;
  }
}

const LHIST_BOUNDS = ['0, 100, 10', '0, 1000, 7', '5, 50, 5', '1, 2, 1'];

function aggCall(fn: Agg, arg: string, bounds: string): string {
  switch (fn) {
    case 'count': return 'count()';
    case 'lhist': return `lhist(${arg}, ${bounds})`;
    default: return `${fn}(${arg})`;
  }
}
