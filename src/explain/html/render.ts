// The --explain page as HTML: one file, its style and script inline, every piece of the script's
// text (source lines, strings in the tree, IR constants, rejection messages) escaped, so a script
// printing "</script><b>" shows those characters and adds no markup.

import type { ProgramFigures } from '../verifier-figures';
import { CSS, JS } from './assets';
import type { MapRow } from './maps';
import type { PageModel, ProgramView, Row } from './model';

const ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

export function esc(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ENTITIES[c]);
}

function row(text: string, line: number | undefined, cls = ''): string {
  // Source lines take the keyboard's focus too: Tab moves through them as the pointer would.
  const at = line !== undefined ? ` data-line="${line}"${cls === 'src' ? ' tabindex="0"' : ''}` : '';
  return `<div class="row${cls ? ` ${cls}` : ''}"${at}>${text === '' ? ' ' : text}</div>`;
}

const code = (rows: string[]) => `<div class="code">${rows.join('')}</div>`;

function sourcePane(m: PageModel): string {
  // How many instructions each line became, in the gutter's other side: where the cost is.
  const insns = new Map<number, number>();
  for (const p of m.programs) for (const i of p.insns) if (i.line !== undefined) insns.set(i.line, (insns.get(i.line) ?? 0) + 1);
  const rows = m.source.replace(/\n$/, '').split('\n').map((t, i) => {
    const n = insns.get(i + 1);
    const count = `<span class="count" title="BPF instructions made from this line">${n ?? ''}</span>`;
    return row(`<span class="ln">${i + 1}</span>${count}${esc(t)}`, i + 1, 'src');
  });
  return `<section class="pane" id="source"><h2>Source <span class="dim">${esc(m.file)}</span></h2><div class="scroll">${code(rows)}</div></section>`;
}

function irPane(m: PageModel): string {
  const body = m.ir
    ? code(m.ir.map((l) => row(esc(l.text), l.line, 'irl')))
    : `<p class="note">${esc(m.absent.find((a) => a.stage === 'LLVM IR')?.why ?? 'no IR')}</p>`;
  return `<section class="pane" id="ir"><h2>LLVM IR <span class="dim">optimised, before the BPF backend</span></h2><div class="scroll">${body}</div></section>`;
}

function programBlock(p: ProgramView, lines: string[]): string {
  const rows: string[] = [];
  for (const i of p.insns) {
    if (i.first && i.line !== undefined) {
      const text = (lines[i.line - 1] ?? '').trim();
      rows.push(row(`<span class="at">; ${i.line}:${i.col ?? 0}  ${esc(text.length > 70 ? `${text.slice(0, 67)}...` : text)}</span>`, i.line));
    }
    rows.push(row(esc(i.text), i.line, 'insn'));
  }
  return `<h3>${esc(p.name)}  <span class="dim">${esc(p.probe)} · section ${esc(p.section)} · ${p.insnCount} instructions</span></h3>${code(rows)}`;
}

function bpfPane(m: PageModel): string {
  const lines = m.source.split('\n');
  return `<section class="pane" id="bpf"><h2>BPF instructions <span class="dim">with their script lines (BTF line info)</span></h2><div class="scroll">${m.programs.map((p) => programBlock(p, lines)).join('')}</div></section>`;
}

const num = (n: number | null | undefined) => `<td class="num">${n === null || n === undefined ? '?' : n}</td>`;

function figuresTable(figs: ProgramFigures[], programs: ProgramView[]): string {
  const head = '<tr><th>program</th><th>probe</th><th>instructions in the object</th><th>after the kernel\'s rewrites</th><th>processed by the verifier</th><th>limit</th><th>peak states</th><th>stack depth (of 512 bytes)</th><th>verified in µs</th><th>JIT bytes</th></tr>';
  const rows = figs.map((f) => `<tr><td>${esc(f.progName)}</td><td>${esc(f.probe)}</td>${num(programs.find((p) => p.name === f.progName)?.insnCount)}${num(f.xlatedInsns)}${num(f.processed)}${num(f.limit)}${num(f.peakStates)}<td class="num">${f.stackDepth.length ? f.stackDepth.join(' + ') : '?'}</td>${num(f.timeUsec)}${num(f.jitedBytes)}</tr>`);
  return `<table>${head}${rows.join('')}</table>`;
}

function verifierBlock(m: PageModel): string {
  const v = m.verifier;
  const body = v.figures ? figuresTable(v.figures, m.programs) : `<pre class="text">${esc(v.text ?? '')}</pre>`;
  return `<section class="block" id="verifier"><h2>Verifier <span class="dim">what the kernel measured when loading (loaded, never attached, unloaded again)</span></h2>${body}</section>`;
}

function mapsBlock(maps: MapRow[]): string {
  const head = '<tr><th>map</th><th>key</th><th>value</th><th>BPF map type</th><th>entries</th><th>key bytes</th><th>value bytes</th><th>BPF name</th></tr>';
  const rows = maps.map((r) => r.own
    ? `<tr class="own"><td colspan="3" class="dim">${esc(r.own)}</td><td>${esc(r.bpfType)}</td>${num(r.entries)}${num(r.keySize)}${num(r.valueSize)}<td>${esc(r.bpfName)}</td></tr>`
    : `<tr><td>${esc(r.name)}</td><td>${esc(r.key)}</td><td>${esc(r.value)}</td><td>${esc(r.bpfType)}</td>${num(r.entries)}${num(r.keySize)}${num(r.valueSize)}<td>${esc(r.bpfName)}</td></tr>`);
  return `<section class="block" id="maps"><h2>Maps <span class="dim">the script's, then bpfscript's own</span></h2><table>${head}${rows.join('')}</table></section>`;
}

function treeBlock(id: string, title: string, rows: Row[] | undefined, why: string | undefined, extra = ''): string {
  const body = rows ? code(rows.map((r) => row(esc(r.text), r.line))) + extra : `<p class="note">${esc(why ?? '')}</p>`;
  return `<details class="block" id="${id}"><summary>${esc(title)}</summary>${body}</details>`;
}

export function renderPage(m: PageModel, version: string): string {
  const absent = (stage: string) => m.absent.find((a) => a.stage === stage)?.why;
  const vars = m.probeVars?.length ? `<h3>Programs</h3>${code(m.probeVars.map((v) => row(esc(v), undefined)))}` : '';
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(`bpfscript --explain: ${m.file}`)}</title>
<style>${CSS}</style></head>
<body>
<header><h1>${esc(m.file)}</h1>
<div class="origin">${esc(`${m.origin} · bpftrace ${m.dialect} dialect · ${version}`)}</div>
<div id="status">Point at a line of the source, the IR or the instructions to light up what belongs to it; click to pin.</div></header>
<main>
${verifierBlock(m)}
<div class="panes" style="margin-top:14px">${sourcePane(m)}${irPane(m)}${bpfPane(m)}</div>
${mapsBlock(m.maps)}
${treeBlock('types', 'Types: what the type checker inferred', m.types, absent('Types'), vars)}
${treeBlock('ast', 'AST: what the parser understood', m.ast, absent('AST'))}
${m.macros !== undefined ? treeBlock('macros', 'Macros expanded: the program the type checker reads', m.macros.replace(/\n$/, '').split('\n').map((text) => ({ text })), undefined) : ''}
</main>
<script>${JS}</script>
</body></html>
`;
}
