// --explain --html PAGE: the teaching view as one page, opened in headless Chromium. Pointing at a
// source line lights its IR lines and BPF instructions, pointing at an instruction lights its
// source line; the page fetches nothing, shows a script's text as text, and is made from an
// artifact without the parser or LLVM. Screenshots go to test-artifacts/.

import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { spawnSync } from './child';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { BIN, bpfscript, isRoot, leakedPrograms, ROOT, scratchPath } from './helpers';
import { withChromium, type Page } from './chromium';
import { fromSource } from '../src/explain/html/from-source';
import { renderPage } from '../src/explain/html/render';
import { useLibbpfFeatureProbes } from '../runtime/feature-probes';

// In-process compiles ask this kernel what it allows, as the CLI does.
useLibbpfFeatureProbes();

test.after.each(() => {
  assert.equal(leakedPrograms(), []);
});

const ARTIFACTS = join(ROOT, 'test-artifacts');
const EXAMPLE = join(ROOT, 'examples', '02-syscalls-by-process.bt');
/** The example's line `@[comm] = count();` and its probe's line. */
const BODY = 15;
const PROBE = 10;

interface Lit {
  line: string;
  source: string[];
  ir: string[];
  insns: string[];
  allInsns: number;
}

/** Which rows are lit, by pane, as their data-line values; and how many instructions the line has. */
const LIT_JS = (line: number) => `({ line: document.documentElement.getAttribute('data-lit'),
  source: [...document.querySelectorAll('#source .row.hl, #source .row.pinned')].map((r) => r.getAttribute('data-line')),
  ir: [...document.querySelectorAll('#ir .irl.hl, #ir .irl.pinned')].map((r) => r.getAttribute('data-line')),
  insns: [...document.querySelectorAll('#bpf .insn.hl, #bpf .insn.pinned')].map((r) => r.getAttribute('data-line')),
  allInsns: document.querySelectorAll('#bpf .insn[data-line="${line}"]').length })`;

async function open(page: Page, file: string): Promise<string[]> {
  const errors: string[] = [];
  page.on('pageerror', (e: Error) => errors.push(e.message));
  page.on('dialog', (d: { message(): string; dismiss(): Promise<void> }) => {
    errors.push(`dialog: ${d.message()}`);
    void d.dismiss();
  });
  // Every request but the page itself is an error: the page must be self-contained.
  page.on('request', (r: { url(): string }) => {
    if (r.url() !== pathToFileURL(file).href) errors.push(`request: ${r.url()}`);
  });
  await page.goto(pathToFileURL(file).href);
  return errors;
}

function makePage(args: string[], env: NodeJS.ProcessEnv = {}): string {
  const page = scratchPath(`explain-${Math.random().toString(36).slice(2)}.html`);
  const r = bpfscript(['--explain', '--html', page, ...args], { env });
  assert.is(r.status, 0, r.stderr);
  assert.is(r.stdout, '');
  assert.is(r.stderr, `explain page written to ${page}: open it in a browser\n`);
  return page;
}

test('the page of an example in Chromium: a source line lights its IR and instructions, an instruction its source line; a click pins; screenshots kept', async () => {
  const file = makePage([EXAMPLE]);
  const html = readFileSync(file, 'utf8');
  assert.not.match(html, /(?:href|src)=["']?(?:https?:)?\/\//, 'no link leaves the page');
  assert.match(html, /Content-Security-Policy" content="default-src 'none'/);
  mkdirSync(ARTIFACTS, { recursive: true });
  await withChromium(async (browser) => {
    const page = await browser.newPage({ viewport: { width: 1500, height: 1000 } });
    page.setDefaultTimeout(10_000);
    const errors = await open(page, file);

    await page.hover(`#source .row[data-line="${BODY}"]`);
    let lit = await page.evaluate<Lit>(LIT_JS(BODY));
    assert.is(lit.line, String(BODY));
    assert.equal(lit.source, [String(BODY)], 'the source line itself');
    assert.ok(lit.insns.length > 10, `its instructions: ${lit.insns.length}`);
    assert.is(lit.insns.length, lit.allInsns, 'every instruction of the line');
    assert.ok(lit.insns.every((l) => l === String(BODY)), 'and only those');
    assert.ok(lit.ir.length > 5 && lit.ir.every((l) => l === String(BODY)), `its IR lines: ${lit.ir}`);
    assert.match(await page.evaluate<string>("document.getElementById('status').textContent"), new RegExp(`^line ${BODY}: ${lit.ir.length} IR lines, ${lit.insns.length} BPF instructions`));
    await page.screenshot({ path: join(ARTIFACTS, 'explain-source-line.png') });

    // The other way: the program's first instruction comes from the probe's line.
    await page.hover('#bpf .insn[data-line]');
    lit = await page.evaluate<Lit>(LIT_JS(PROBE));
    assert.equal(lit.source, [String(PROBE)], 'the instruction lights its source line');
    assert.is(lit.insns.length, lit.allInsns);
    await page.screenshot({ path: join(ARTIFACTS, 'explain-instruction.png') });
    await page.hover(`#ir .irl[data-line="${BODY}"]`);
    assert.equal((await page.evaluate<Lit>(LIT_JS(BODY))).source, [String(BODY)], 'an IR line lights its source line');

    // A click pins the line: it stays lit when the pointer leaves for the heading.
    await page.click(`#source .row[data-line="${BODY}"]`);
    await page.hover('h1');
    lit = await page.evaluate<Lit>(LIT_JS(BODY));
    assert.equal(lit.source, [String(BODY)], 'pinned');
    assert.is(lit.insns.length, lit.allInsns);
    await page.click(`#source .row[data-line="${BODY}"]`);
    await page.hover('h1');
    assert.is((await page.evaluate<Lit>(LIT_JS(BODY))).source.length, 0, 'a second click releases it');

    // The keyboard: Tab reaches the source lines, and a focused line lights as a pointed-at one.
    await page.evaluate(`document.activeElement.blur(); document.querySelector('#source .row[data-line="${BODY}"]').focus()`);
    assert.equal((await page.evaluate<Lit>(LIT_JS(BODY))).source, [String(BODY)], 'focus lights the line');
    await page.keyboard.press('Tab');
    assert.equal((await page.evaluate<Lit>(LIT_JS(BODY + 1))).source, [String(BODY + 1)], 'Tab moves to the next line');

    // The other stages: maps with their BPF types, the tree and the types linked to lines too.
    const maps = await page.evaluate<string>("document.getElementById('maps').textContent");
    assert.match(maps, /@string\[16\]count_tBPF_MAP_TYPE_PERCPU_HASH4096/);
    assert.match(maps, /BPF_MAP_TYPE_RINGBUF/, "bpfscript's own maps too");
    assert.ok(await page.evaluate<number>(`document.querySelectorAll('#types .row[data-line="${BODY}"]').length`) > 0, 'typed tree rows');
    assert.ok(await page.evaluate<number>(`document.querySelectorAll('#ast .row[data-line="${BODY}"]').length`) > 0, 'AST rows');
    const verifier = await page.evaluate<string>("document.getElementById('verifier').textContent");
    if (isRoot) assert.match(verifier, /probe_0tracepoint:raw_syscalls:sys_enter\d+1000000/, 'the verifier figures, as root');
    else assert.match(verifier, /needs root/);
    assert.equal(errors, [], 'no script errors, no requests');
  });
});

test('the page is made afresh when the compile cache holds the script: the IR is there, the cache unchanged', () => {
  const dir = scratchPath('explain-html-cache');
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  chmodSync(dir, 0o700);
  if (isRoot) {
    const warm = bpfscript(['--dry-run', EXAMPLE], { env: { BPFSCRIPT_CACHE_DIR: dir } });
    assert.is(warm.status, 0, warm.stderr);
  }
  const entries = readdirSync(dir).sort();
  const html = readFileSync(makePage([EXAMPLE], { BPFSCRIPT_CACHE_DIR: dir }), 'utf8');
  assert.match(html, /<div class="row irl" data-line="15">  %[\w.]+ = /, 'IR rows linked to line 15');
  assert.match(html, /compiled afresh for this page/);
  assert.equal(readdirSync(dir).sort(), entries);
});

test('a script whose text holds </script><b> and an <img onerror>: shown as text, no markup added, the page still works', async () => {
  const dir = scratchPath('explain-<i>-dir');
  mkdirSync(dir, { recursive: true });
  const script = join(dir, 'x<i>y.bt');
  writeFileSync(script, 'BEGIN\n{\n  printf("</script><b>bold</b><img src=x onerror=alert(1)>\\n");\n  @["<b>key</b>"] = count();\n  exit();\n}\n');
  const file = makePage([script]);
  const html = readFileSync(file, 'utf8');
  assert.not.match(html, /<b>|<img|<i>/);
  await withChromium(async (browser) => {
    const page = await browser.newPage({ viewport: { width: 1200, height: 800 } });
    page.setDefaultTimeout(10_000);
    const errors = await open(page, file);
    assert.is(await page.evaluate<number>("document.querySelectorAll('b, img, i').length"), 0, 'no element from the script');
    // The row's text after its gutter (line number, instruction count) is the line as written.
    assert.is(await page.evaluate<string>("document.querySelector('#source .row[data-line=\"3\"]').lastChild.textContent"), '  printf("</script><b>bold</b><img src=x onerror=alert(1)>\\n");');
    assert.match(await page.evaluate<string>("document.querySelector('h1').textContent"), /x<i>y\.bt$/);
    assert.match(await page.evaluate<string>("document.getElementById('maps').textContent"), /@string\[\d+\]/);
    await page.hover('#source .row[data-line="3"]');
    assert.equal((await page.evaluate<Lit>(LIT_JS(3))).source, ['3'], 'the page script still runs');
    assert.equal(errors, []);
  });
});

test('bpfscript run ARTIFACT --explain --html PAGE: source, instructions by line and maps, without the parser or LLVM; Chromium links them', async () => {
  const art = scratchPath('explain-html.bpf');
  const b = bpfscript(['build', EXAMPLE, '-o', art]);
  assert.is(b.status, 0, b.stderr);
  const file = scratchPath('explain-artifact.html');
  const r = bpfscript(['run', art, '--explain', '--html', file], { env: { BPFSCRIPT_DEBUG_MODULES: '1' } });
  assert.is(r.status, 0, r.stderr);
  assert.match(r.stderr, new RegExp(`^explain page written to ${file}: open it in a browser\nloaded modules:\n`));
  assert.match(r.stderr, /dist\/src\/explain\/html\/model\.js/, 'the module list is the real one');
  for (const compiler of [/\/grammar\//, /chevrotain/, /\/src\/semantic\/index\.js/, /\/src\/codegen\/llvm\//, /\/src\/codegen\/program\.js/, /libLLVM/]) {
    assert.not.match(r.stderr, compiler);
  }
  const html = readFileSync(file, 'utf8');
  assert.match(html, /the artifact .*explain-html\.bpf, built by bpfscript/);
  assert.match(html, /an artifact carries the ELF object and the script, not the compiler&#39;s intermediate stages/);
  await withChromium(async (browser) => {
    const page = await browser.newPage({ viewport: { width: 1500, height: 1000 } });
    page.setDefaultTimeout(10_000);
    const errors = await open(page, file);
    await page.hover(`#bpf .insn[data-line="${BODY}"]`);
    const lit = await page.evaluate<Lit>(LIT_JS(BODY));
    assert.equal(lit.source, [String(BODY)]);
    assert.is(lit.insns.length, lit.allInsns);
    assert.ok(lit.allInsns > 10);
    assert.equal(lit.ir, [], 'no IR in an artifact');
    assert.match(await page.evaluate<string>("document.getElementById('status').textContent"), new RegExp(`^line ${BODY}: ${lit.allInsns} BPF instructions`));
    assert.match(await page.evaluate<string>("document.getElementById('maps').textContent"), /@string\[16\]count_tBPF_MAP_TYPE_PERCPU_HASH/);
    if (isRoot) assert.match(await page.evaluate<string>("document.getElementById('verifier').textContent"), /probe_0tracepoint:raw_syscalls:sys_enter\d+/);
    await page.screenshot({ path: join(ARTIFACTS, 'explain-artifact.png') });
    assert.equal(errors, []);
  });
});

test('every lesson\'s page: each program\'s instructions and the IR linked to script lines that exist; the dialect as asked', async () => {
  const dir = join(ROOT, 'examples');
  const lessons = readdirSync(dir).filter((f) => f.endsWith('.bt'));
  assert.ok(lessons.length >= 28);
  for (const f of lessons) {
    const source = readFileSync(join(dir, f), 'utf8');
    const m = await fromSource(source, { file: join(dir, f), canLoad: false });
    const lines = source.split('\n').length;
    for (const p of m.programs) {
      // Only code LLVM placed at no line (line 0: a shared `return 0`) is left unlinked.
      const linked = p.insns.filter((i) => i.line !== undefined).length;
      assert.ok(linked > p.insns.length / 2, `${f} ${p.name}: ${linked} of ${p.insns.length} instructions under a line`);
    }
    assert.ok(m.ir!.some((l) => l.line !== undefined), `${f}: IR linked`);
    const html = renderPage(m, 'test');
    const linked = [...html.matchAll(/data-line="(\d+)"/g)].map((x) => Number(x[1]));
    assert.ok(linked.every((n) => n >= 1 && n <= lines), `${f}: rows point at its own lines`);
    assert.ok(m.maps.length > 0, `${f}: maps listed`);
  }
  const scoped = await fromSource(readFileSync(join(dir, '23-let-and-scopes.bt'), 'utf8'), { file: '23.bt', dialect: '0.26', canLoad: false });
  assert.is(scoped.dialect, '0.26');
  assert.match(renderPage(scoped, 'test'), /bpftrace 0\.26 dialect/);
});

test('a program the verifier refuses: the page still shows every stage, and the verifier section is the explained rejection', async () => {
  const m = await fromSource('BEGIN\n{\n  $i = 0;\n  while (1) {\n    $i++;\n  }\n}\n', { file: 'loop.bt', canLoad: isRoot });
  assert.ok(m.programs[0].insns.some((i) => i.line === 5));
  if (!isRoot) return;
  assert.is(m.verifier.figures, undefined);
  assert.match(m.verifier.text!, /^loop\.bt:5:1: ERROR: the BPF verifier rejected probe_0: the program contains a loop the verifier cannot prove ends/);
  assert.match(renderPage(m, 'test'), /It could not prove: that the loop ever ends[\s\S]*HINT: bound the loop/);
});

test('a probe an imported file defines: its instructions link to no line of the script (its lines are the other file\'s)', async () => {
  const dir = scratchPath('explain-html-import');
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'lib.bt'), 'interval:s:1\n{\n  printf("from the library\\n");\n}\n');
  const main = join(dir, 'main.bt');
  const source = 'import "lib.bt";\n\nBEGIN\n{\n  printf("main\\n");\n  exit();\n}\n';
  writeFileSync(main, source);
  const m = await fromSource(source, { file: main, canLoad: false });
  const [imported, own] = [m.programs.find((p) => p.probe === 'interval:s:1')!, m.programs.find((p) => p.probe === 'BEGIN')!];
  assert.equal(imported.insns.filter((i) => i.line !== undefined), [], 'none of the imported probe\'s instructions');
  assert.ok(own.insns.every((i) => i.line !== undefined && i.line >= 3), 'all of the script\'s own');
  assert.ok(own.insns.some((i) => i.line === 5));
});

test('without root the page is made all the same, its verifier section saying why there are no figures', () => {
  if (!isRoot) return;
  // nobody, who cannot load programs; the page goes to a directory nobody may write.
  const dir = mkdtempSync(join(tmpdir(), 'explain-html-'));
  chmodSync(dir, 0o777);
  const file = join(dir, 'page.html');
  const r = spawnSync('setpriv', ['--reuid=65534', '--regid=65534', '--clear-groups', process.execPath, BIN, '--explain', '--html', file, '-e', 'BEGIN { @x[1] = count(); printf("hi\\n"); exit(); }'], { encoding: 'utf8', timeout: 60_000 });
  try {
    assert.is(r.status, 0, r.stderr);
    const html = readFileSync(file, 'utf8');
    assert.match(html, /Not loaded: loading programs into the kernel needs root/);
    assert.match(html, /<td>@x<\/td><td>int64<\/td><td>count_t<\/td><td>BPF_MAP_TYPE_PERCPU_HASH<\/td>/);
    assert.match(html, /class="row insn" data-line="1"/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('--html without --explain, or into a directory that does not exist: one clear error, status 1', () => {
  const r = bpfscript(['--html', scratchPath('never.html'), EXAMPLE]);
  assert.is(r.status, 1);
  assert.is(r.stderr, 'ERROR: --html needs --explain\nHINT: --explain --html ' + scratchPath('never.html') + ' writes the explain page\n');
  assert.not.ok(existsSync(scratchPath('never.html')));
  const missing = bpfscript(['--explain', '--html', '/nonexistent-dir/page.html', '-e', 'BEGIN { exit(); }']);
  assert.is(missing.status, 1);
  assert.match(missing.stderr, /^ERROR: cannot write the explain page '\/nonexistent-dir\/page\.html': No such file or directory\nHINT: /);
  const art = scratchPath('explain-html-err.bpf');
  assert.is(bpfscript(['build', '-e', 'BEGIN { exit(); }', '-o', art]).status, 0);
  const run = bpfscript(['run', art, '--html', scratchPath('never.html')]);
  assert.is(run.status, 1);
  assert.match(run.stderr, /^ERROR: --html needs --explain\n/);
});

test.run();
