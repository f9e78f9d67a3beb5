// The seams the design promises, checked on the sources (no root needed): the compiler never
// imports the runtime; the runtime takes from the compiler only the compiled-program contract and
// the registries; common/ (what both use) imports neither; no import cycle ties two halves
// together; no file grows past 500 lines; and the names that belong to one module (an
// aggregation, a value format, a probe type) are not switched on anywhere else. A new exception
// has to be argued here, in the open.

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

const files = [...sources('grammar'), ...sources('common'), ...sources('src'), ...sources('runtime')];
const text = new Map(files.map((f) => [f, readFileSync(join(ROOT, f), 'utf8')]));

interface Import {
  target: string;
  /** `import type` / `export type`: erased when compiled, but still a dependency of the design. */
  typeOnly: boolean;
}

/** Relative imports of every kind: `from '…'`, `import '…'`, `require('…')`, `import('…')` and the registries' `mod<…>('…')` (their lazy modules). */
function importsOf(file: string): Import[] {
  const out: Import[] = [];
  const re = /(^\s*(?:import|export)\s+type\b[^'"]*?)?(?:from\s+|import\s*\(\s*|require\s*\(\s*|mod<[^>]*>\s*\(\s*|^import\s+)'(\.[^']*)'/gm;
  for (const m of text.get(file)!.matchAll(re)) {
    const base = resolve(ROOT, dirname(file), m[2]);
    const hit = [`${base}.ts`, join(base, 'index.ts')].find((p) => existsSync(p));
    if (hit) out.push({ target: relative(ROOT, hit), typeOnly: m[1] !== undefined });
  }
  return out;
}
const imports = (file: string): string[] => importsOf(file).map((i) => i.target);

type Half = 'compiler' | 'runtime' | 'grammar' | 'common';
const half = (f: string): Half =>
  f.startsWith('runtime/') ? 'runtime' : f.startsWith('grammar/') ? 'grammar' : f.startsWith('common/') ? 'common' : 'compiler';

test('the compiler imports nothing from the runtime', () => {
  // The command line and the teaching view (--explain loads the program for its verifier figures)
  // drive both halves; they are the application, not the compiler.
  const drivers = ['src/cli.ts', 'src/cli-flags.ts', 'src/list-command.ts', 'src/explain/', 'src/artifact/command.ts'];
  const edges = files
    .filter((f) => half(f) !== 'runtime' && !drivers.some((d) => f.startsWith(d)))
    .flatMap((f) => imports(f).filter((i) => half(i) === 'runtime').map((i) => `${f} -> ${i}`));
  assert.equal(edges, []);
});

/** Tarjan's strongly connected components with more than one file (or a file importing itself). */
function cycles(graph: Map<string, string[]>): string[][] {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const found: string[][] = [];
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
      if (scc.length > 1 || graph.get(v)?.includes(v)) found.push(scc.sort());
    }
  };
  for (const v of graph.keys()) if (!index.has(v)) visit(v);
  return found;
}

test('the cycle finder finds a cycle through both halves', () => {
  // So the next test cannot pass by finding nothing at all.
  const g = new Map([
    ['runtime/a.ts', ['src/b.ts']],
    ['src/b.ts', ['src/c.ts']],
    ['src/c.ts', ['runtime/a.ts', 'common/d.ts']],
    ['common/d.ts', []],
  ]);
  assert.equal(cycles(g), [['runtime/a.ts', 'src/b.ts', 'src/c.ts']]);
  const imported = imports('runtime/session.ts');
  assert.ok(imported.includes('src/compiled.ts') && imported.includes('runtime/load.ts'), 'the import graph is read');
});

test('no import cycle spans two halves', () => {
  const graph = new Map(files.map((f) => [f, imports(f)]));
  assert.equal(cycles(graph).filter((scc) => new Set(scc.map(half)).size > 1), []);
});

test('common/ imports nothing from the compiler, the runtime or the grammar', () => {
  // What both halves stand on (kernel and host readers, value types, diagnostics, text rendering)
  // is a leaf layer: an import out of it would tie the halves back together.
  const edges = files
    .filter((f) => half(f) === 'common')
    .flatMap((f) => imports(f).filter((i) => half(i) !== 'common').map((i) => `${f} -> ${i}`));
  assert.equal(edges, []);
});

/** What the runtime may take from src/: the compiled program's contract and the registries. */
const CONTRACT = ['src/compiled.ts', 'src/functions/index.ts', 'src/probes/index.ts'];
/** Each probe type's attach record, declared once beside its compiler half and read by its runtime half. */
const ATTACH_RECORD = /^src\/probes\/[\w-]+\.attach\.ts$/;

test('the runtime imports from src/ only the compiled-program contract and the registries', () => {
  const edges = files
    .filter((f) => half(f) === 'runtime')
    .flatMap((f) =>
      importsOf(f)
        .filter(({ target, typeOnly }) => (half(target) === 'compiler' && !CONTRACT.includes(target) && !(ATTACH_RECORD.test(target) && typeOnly)) || half(target) === 'grammar')
        .map(({ target }) => `${f} -> ${target}`),
    );
  assert.equal(edges, []);
  // An attach record is a declaration only: reading one must not pull any compiler code in.
  const records = files.filter((f) => ATTACH_RECORD.test(f));
  assert.ok(records.length >= 10, 'the attach records are found');
  assert.equal(records.filter((f) => imports(f).length > 0), []);
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
  const among = files.filter((f) => f.startsWith('runtime/') || f.startsWith('common/'));
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
