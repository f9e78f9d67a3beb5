// The script's own C preprocessor lines (`#define`, `#ifdef` …, kept verbatim by the grammar).
// bpftrace runs clang's preprocessor over a script; bpfscript runs no C compiler, so it honours the
// part scripts use: conditionals decide which C definitions count (./c-decls.ts), and object-like
// `#define NAME CONSTANT` lines define integer constants the program may name. BPFTRACE_HAVE_BTF
// is defined when the kernel has BTF, as bpftrace defines it.

import type { Program } from '../ast';

export interface Preprocessed {
  /** [start offset, end offset) of source that conditionals drop. */
  dropped: [number, number][];
  /** Macros defined in active regions, by name: their replacement text, trimmed. */
  defines: Map<string, string>;
}

const memo = new WeakMap<Program, Map<boolean, Preprocessed>>();

export function preprocess(program: Program, haveBtf: boolean): Preprocessed {
  let byBtf = memo.get(program);
  if (!byBtf) memo.set(program, (byBtf = new Map()));
  let done = byBtf.get(haveBtf);
  if (!done) byBtf.set(haveBtf, (done = walk(program, haveBtf)));
  return done;
}

function walk(program: Program, haveBtf: boolean): Preprocessed {
  const defines = new Map<string, string>(haveBtf ? [['BPFTRACE_HAVE_BTF', '1']] : []);
  const dropped: [number, number][] = [];
  const stack: { active: boolean; parentActive: boolean; taken: boolean; from: number }[] = [];
  const active = () => stack.every((s) => s.active);
  for (const pp of [...program.preprocessor].sort((a, b) => a.span.start - b.span.start)) {
    const m = /^#\s*(\w+)\s*(.*)$/s.exec(pp.text.trim());
    if (!m) continue;
    const [, dir, rest] = m;
    const word = /^\w+/.exec(rest.trim())?.[0] ?? '';
    const close = () => {
      const top = stack[stack.length - 1];
      if (top && !top.active && top.parentActive) dropped.push([top.from, pp.span.start]);
    };
    if (dir === 'ifdef' || dir === 'ifndef' || dir === 'if') {
      const parentActive = active();
      // `#if EXPR` is not evaluated: only `#if 0` is known to drop its block.
      const cond = dir === 'if' ? !/^0\s*$/.test(rest.trim()) : defines.has(word) === (dir === 'ifdef');
      stack.push({ active: cond, parentActive, taken: cond, from: pp.span.end });
    } else if (dir === 'else' || dir === 'elif') {
      close();
      const top = stack[stack.length - 1];
      if (!top) continue;
      const cond = !top.taken && (dir === 'else' || !/^0\s*$/.test(rest.trim()));
      top.active = cond;
      top.taken ||= cond;
      top.from = pp.span.end;
    } else if (dir === 'endif') {
      close();
      stack.pop();
    } else if (dir === 'define' && active() && word) {
      // A function-like macro (`NAME(`) is not a constant; it still counts as defined for #ifdef.
      const body = rest.trim().slice(word.length);
      defines.set(word, body.startsWith('(') ? '' : stripComments(body).trim());
    } else if (dir === 'undef' && active()) defines.delete(word);
  }
  const top = stack[stack.length - 1];
  if (top && !active()) dropped.push([top.from, Infinity]);
  return { dropped, defines };
}

function stripComments(text: string): string {
  return text.replace(/\/\*[\s\S]*?\*\//g, ' ').replace(/\/\/.*$/, '');
}

/**
 * The integer a script macro stands for, or undefined when it is not an integer constant: a
 * literal (decimal, hex, octal, with C's u/l suffixes), negated or parenthesised, or the name of
 * another such macro.
 */
export function macroConstant(defines: ReadonlyMap<string, string>, name: string, seen = new Set<string>()): bigint | undefined {
  const text = defines.get(name);
  if (text === undefined || seen.has(name)) return undefined;
  seen.add(name);
  let t = text;
  while (/^\(.*\)$/.test(t)) t = t.slice(1, -1).trim();
  const neg = t.startsWith('-');
  if (neg) t = t.slice(1).trim();
  let v: bigint | undefined;
  const lit = /^(0[xX][0-9a-fA-F]+|0[0-7]*|[1-9][0-9]*)[uUlL]*$/.exec(t);
  if (lit) v = BigInt(/^0[0-7]+$/.test(lit[1]) ? `0o${lit[1].slice(1)}` : lit[1]);
  else if (/^[A-Za-z_]\w*$/.test(t)) v = macroConstant(defines, t, seen);
  return v === undefined ? undefined : neg ? -v : v;
}
