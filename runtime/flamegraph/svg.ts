// A flame graph as one self-contained SVG file: boxes, their styles and the script that zooms and
// searches (script.ts) are all inline, so the file opens offline in any browser. Root at the
// bottom, callees above their callers; colours are a hash of the frame's name, so one function has
// one colour in every graph: warm for user space and the key's other parts, blue for the kernel.

import type { FlameLayout, FrameBox } from './layout';
import { FLAME_SCRIPT } from './script';

export interface SvgOptions {
  title?: string;
  /** Pixels. */
  width?: number;
}

const FRAME_H = 16;
const PAD = 10;
const TOP = 56;
const BOTTOM = 30;
const FONT = 12;
/** Advance of one character of the monospace font at FONT px (DejaVu Sans Mono and its kin). */
const CHAR_W = 0.6 * FONT;
const MATCH_FILL = 'rgb(200,70,220)';

const XML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Frame names are byte strings (one char per byte, as the runtime reads them): shown as UTF-8. */
function xml(s: string): string {
  const text = /[\x80-\xff]/.test(s) ? Buffer.from(s, 'latin1').toString('utf8') : s;
  // Control characters are not allowed in XML 1.0 at all.
  return text.replace(/[\x00-\x08\x0b\x0c\x0e-\x1f]/g, '?').replace(/[&<>"']/g, (c) => XML_ESCAPES[c]);
}

/** FNV-1a of the name: a stable colour per function. */
function hash(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193) >>> 0;
  return h;
}

function fill(box: FrameBox): string {
  if (box.depth === 0) return 'rgb(190,190,190)';
  const h = hash(box.name);
  // Kernel frames in cool blues, so where a stack enters the kernel shows at a glance.
  if (box.kernel) return `rgb(${70 + (h % 60)},${150 + ((h >>> 8) % 60)},${215 + ((h >>> 16) % 40)})`;
  // Warm hues, red to yellow, as flame graphs are read.
  const r = 205 + (h % 50);
  const g = 80 + ((h >>> 8) % 150);
  const b = (h >>> 16) % 60;
  return `rgb(${r},${g},${b})`;
}

function label(name: string, px: number): string {
  const n = Math.floor((px - 6) / CHAR_W);
  if (n >= name.length) return name;
  return n < 3 ? '' : `${name.slice(0, n - 2)}..`;
}

const STYLE = `
  text { font-family: "DejaVu Sans Mono", Menlo, Consolas, monospace; font-size: ${FONT}px; fill: #000; }
  #title { font-size: 17px; text-anchor: middle; }
  .button { cursor: pointer; fill: #2050a0; }
  .button:hover { text-decoration: underline; }
  #matched, #search { text-anchor: end; }
  g.fr { cursor: pointer; }
  g.fr text { pointer-events: none; }
  g.fr:hover rect { stroke: #000; stroke-width: 0.5; }
  g.anc { opacity: 0.6; }
  .hide { display: none; }
`;

export function renderSvg(layout: FlameLayout, opts: SvgOptions = {}): string {
  const width = opts.width ?? 1200;
  const inner = width - 2 * PAD;
  const height = TOP + (layout.maxDepth + 1) * FRAME_H + BOTTOM;
  const scale = layout.total > 0 ? inner / layout.total : 0;
  const config = { pad: PAD, width: inner, charWidth: CHAR_W, matchFill: MATCH_FILL };
  const out: string[] = [];
  out.push('<?xml version="1.0" encoding="UTF-8" standalone="no"?>\n');
  out.push(`<svg version="1.1" xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" data-flame='${xml(JSON.stringify(config))}'>\n`);
  out.push(`<style>${STYLE}</style>\n`);
  out.push(`<rect x="0" y="0" width="${width}" height="${height}" fill="#f8f8f0"/>\n`);
  out.push(`<text id="title" x="${width / 2}" y="24">${xml(opts.title ?? 'Flame graph')}</text>\n`);
  out.push(`<text id="reset" class="button hide" x="${PAD}" y="44">Reset zoom</text>\n`);
  out.push(`<text id="search" class="button" x="${width - PAD}" y="44">Search</text>\n`);
  out.push(`<text id="details" x="${PAD}" y="${height - 10}"> </text>\n`);
  out.push(`<text id="matched" x="${width - PAD}" y="${height - 10}"></text>\n`);
  if (layout.total === 0) out.push(`<text x="${width / 2}" y="${TOP + 12}" style="text-anchor: middle">no stacks were recorded</text>\n`);
  out.push('<g id="frames">\n');
  for (const b of layout.boxes) {
    const x = PAD + b.start * scale;
    const w = b.weight * scale;
    const y = height - BOTTOM - (b.depth + 1) * FRAME_H;
    const pct = layout.total > 0 ? ((100 * b.weight) / layout.total).toFixed(2) : '0';
    const name = xml(b.name);
    out.push(
      `<g class="fr" data-n="${name}" data-x="${b.start}" data-w="${b.weight}" data-d="${b.depth}"${b.kernel ? ' data-k="1"' : ''}>` +
        `<title>${name}${b.kernel ? ' [kernel]' : ''} (${b.weight} of ${layout.total}, ${pct}%)</title>` +
        `<rect x="${x.toFixed(2)}" y="${y}" width="${w.toFixed(2)}" height="${FRAME_H - 1}" rx="2" fill="${fill(b)}"/>` +
        `<text x="${(x + 3).toFixed(2)}" y="${y + FRAME_H - 4}">${xml(label(b.name, w))}</text></g>\n`,
    );
  }
  out.push('</g>\n');
  out.push(`<script><![CDATA[${FLAME_SCRIPT}]]></script>\n`);
  out.push('</svg>\n');
  return out.join('');
}
