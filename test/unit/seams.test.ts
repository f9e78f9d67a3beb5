// The seams the design promises, checked on the sources (no root needed): the compiler never
// imports the runtime, no import cycle ties the two halves together, no file grows past 500
// lines, and the names that belong to one module (an aggregation, a value format, a probe type)
// are not switched on anywhere else. A new exception has to be argued here, in the open.

import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

const ROOT = join(__dirname, '..', '..', '..');

function sources(dir: string): string[] {
  return readdirSync(join(ROOT, dir)).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(join(ROOT, path)).isDirectory()) return sources(path);
    return name.endsWith('.ts') ? [path] : [];
  });
}

const files = [...sources('grammar'), ...sources('src'), ...sources('runtime')];
const text = new Map(files.map((f) => [f, readFileSync(join(ROOT, f), 'utf8')]));

/** Relative imports of every kind: `from '…'`, `import '…'`, `require('…')` and `import('…')` (the registries' lazy modules). */
function imports(file: string): string[] {
  const out: string[] = [];
  for (const m of text.get(file)!.matchAll(/(?:from\s+|import\s*\(\s*|require\s*\(\s*|^import\s+)'(\.[^']*)'/gm)) {
    const base = resolve(ROOT, dirname(file), m[1]);
    const hit = [`${base}.ts`, join(base, 'index.ts')].find((p) => existsSync(p));
    if (hit) out.push(relative(ROOT, hit));
  }
  return out;
}

const half = (f: string): 'compiler' | 'runtime' | 'grammar' => (f.startsWith('runtime/') ? 'runtime' : f.startsWith('grammar/') ? 'grammar' : 'compiler');

test('the compiler imports nothing from the runtime', () => {
  // The command line and the teaching view (--explain loads the program for its verifier figures)
  // drive both halves; they are the application, not the compiler.
  const drivers = ['src/cli.ts', 'src/cli-flags.ts', 'src/explain/', 'src/artifact/command.ts'];
  const edges = files
    .filter((f) => half(f) !== 'runtime' && !drivers.some((d) => f.startsWith(d)))
    .flatMap((f) => imports(f).filter((i) => half(i) === 'runtime').map((i) => `${f} -> ${i}`));
  assert.equal(edges, []);
});

test('no import cycle spans the compiler and the runtime', () => {
  // Tarjan's strongly connected components over the import graph.
  const graph = new Map(files.map((f) => [f, imports(f)]));
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const spanning: string[][] = [];
  let next = 0;
  const visit = (v: string): void => {
    index.set(v, next);
    low.set(v, next++);
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
    }
    if (low.get(v) === index.get(v)) {
      const scc: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        scc.push(w);
      } while (w !== v);
      if (new Set(scc.map(half)).size > 1) spanning.push(scc.sort());
    }
  };
  for (const f of files) if (!index.has(f)) visit(f);
  assert.equal(spanning, []);
});

test('no source file is over 500 lines', () => {
  const long = files.filter((f) => text.get(f)!.split('\n').length > 500);
  assert.equal(long, []);
});

/** Lines matching `re` in files outside `owners` (path prefixes). */
function outside(re: RegExp, owners: string[], among = files): string[] {
  return among
    .filter((f) => !owners.some((o) => f.startsWith(o)))
    .flatMap((f) => text.get(f)!.split('\n').flatMap((line, i) => (re.test(line) ? [`${f}:${i + 1}: ${line.trim()}`] : [])));
}

test('value formats are decided by their own modules', () => {
  assert.equal(outside(/format === '/, []), []);
});

test('aggregations are named only in their own modules', () => {
  const among = files.filter((f) => f.startsWith('runtime/') || f === 'common/types.ts');
  assert.equal(outside(/'(count|sum|min|max|avg|stats|hist|lhist)'/, [], among), []);
});

test('probe types are named only in src/probes and runtime/attach', () => {
  const names = /'(tracepoint|rawtracepoint|kprobe|kretprobe|kfunc|kretfunc|uprobe|uretprobe|usdt|iter|profile|interval|software|hardware|watchpoint|asyncwatchpoint)'/;
  // The kprobe mechanisms ('kprobe' | 'multi' | 'fentry') are ways of attaching, not probe types;
  // libbpf's own label for its kprobe call names the kernel interface.
  const owners = ['src/probes/', 'runtime/attach/', 'common/kernel/kprobe-mechanism.ts', 'runtime/libbpf/program.ts'];
  assert.equal(outside(names, owners), []);
});

test.run();
