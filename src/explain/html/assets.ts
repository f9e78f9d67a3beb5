// The page's own style and behaviour, inlined: the page is one file that works offline (its
// Content-Security-Policy allows no fetch at all). The script reads only the DOM's data-line
// attributes, so no script text is ever placed inside <script>.

export const CSS = `
:root { --bg: #fdfdfb; --fg: #1d1f21; --dim: #777; --line: #e4e4de; --hl: #ffe58a; --pin: #ffc94d; --code: #f6f6f2; --accent: #2a5db0; }
* { box-sizing: border-box; }
body { margin: 0; font: 14px/1.45 system-ui, sans-serif; color: var(--fg); background: var(--bg); }
header { padding: 10px 16px; border-bottom: 1px solid var(--line); position: sticky; top: 0; background: var(--bg); z-index: 2; }
h1 { font-size: 18px; margin: 0 0 2px; } h2 { font-size: 15px; margin: 0 0 6px; } h3 { font-size: 13px; margin: 10px 0 4px; font-weight: 600; }
.origin, .note, .dim { color: var(--dim); }
#status { margin: 4px 0 0; min-height: 1.4em; color: var(--accent); }
main { padding: 12px 16px; }
.panes { display: grid; grid-template-columns: minmax(0, 1fr) minmax(0, 1.2fr) minmax(0, 1fr); gap: 12px; }
.pane { border: 1px solid var(--line); border-radius: 6px; padding: 8px; background: #fff; min-width: 0; }
.scroll { height: 62vh; overflow: auto; }
.code { font: 12px/1.5 ui-monospace, 'DejaVu Sans Mono', monospace; white-space: pre; background: var(--code); border-radius: 4px; padding: 4px 0; min-width: max-content; }
.row { padding: 0 8px; }
.row[data-line] { cursor: pointer; }
.row.hl { background: var(--hl); }
.row:focus { outline: 1px solid var(--accent); outline-offset: -1px; }
.row.pinned { background: var(--pin); }
.ln { display: inline-block; width: 2.5em; color: var(--dim); text-align: right; margin-right: 1em; user-select: none; }
.count { display: inline-block; width: 2.5em; text-align: right; margin-right: 1em; color: var(--accent); user-select: none; }
.at { color: #a05a00; }
section.block, details { margin-top: 14px; border: 1px solid var(--line); border-radius: 6px; padding: 8px; background: #fff; }
summary { cursor: pointer; font-weight: 600; }
table { border-collapse: collapse; font-size: 13px; }
th, td { text-align: left; padding: 3px 10px; border-bottom: 1px solid var(--line); vertical-align: top; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
pre.text { font: 12px/1.5 ui-monospace, 'DejaVu Sans Mono', monospace; white-space: pre-wrap; margin: 0; }
@media (max-width: 1000px) { .panes { grid-template-columns: 1fr; } .scroll { height: auto; max-height: 50vh; } }
`;

// Pointing at a row lights every row of the same script line (source, tree, IR, instructions);
// a click pins the line and scrolls each pane to its first lit row; a second click unpins.
export const JS = `
(function () {
  'use strict';
  var byLine = {};
  document.querySelectorAll('[data-line]').forEach(function (r) {
    (byLine[r.getAttribute('data-line')] = byLine[r.getAttribute('data-line')] || []).push(r);
  });
  var status = document.getElementById('status');
  var idle = status.textContent;
  var lit = [];
  var pinned = null;
  function count(line, sel) {
    return (byLine[line] || []).filter(function (r) { return r.matches(sel); }).length;
  }
  var hasIr = document.querySelector('.irl') !== null;
  function show(line) {
    lit.forEach(function (r) { r.classList.remove('hl', 'pinned'); });
    lit = line === null ? [] : byLine[line] || [];
    lit.forEach(function (r) { r.classList.add(line === pinned ? 'pinned' : 'hl'); });
    document.documentElement.setAttribute('data-lit', line === null ? '' : line);
    if (line === null) { status.textContent = idle; return; }
    var insns = count(line, '.insn'), ir = count(line, '.irl');
    status.textContent = 'line ' + line + ': ' + (hasIr ? ir + ' IR line' + (ir === 1 ? '' : 's') + ', ' : '') + insns + ' BPF instruction' + (insns === 1 ? '' : 's') +
      (line === pinned ? ' (pinned: click again to release)' : ' (click to pin)');
  }
  function reveal(line, from) {
    document.querySelectorAll('.scroll').forEach(function (pane) {
      if (pane.contains(from)) return;
      var first = (byLine[line] || []).filter(function (r) { return pane.contains(r); })[0];
      if (first) pane.scrollTop = first.offsetTop - pane.offsetTop - pane.clientHeight / 3;
    });
  }
  document.addEventListener('mouseover', function (e) {
    var r = e.target.closest && e.target.closest('[data-line]');
    show(r ? r.getAttribute('data-line') : pinned);
  });
  document.addEventListener('focusin', function (e) {
    var r = e.target.closest && e.target.closest('[data-line]');
    if (r) show(r.getAttribute('data-line'));
  });
  document.addEventListener('keydown', function (e) {
    if (e.key === 'Enter' && e.target.getAttribute && e.target.hasAttribute('data-line')) e.target.click();
  });
  document.addEventListener('click', function (e) {
    var r = e.target.closest && e.target.closest('[data-line]');
    if (!r) return;
    var line = r.getAttribute('data-line');
    pinned = pinned === line ? null : line;
    show(line);
    if (pinned !== null) reveal(line, r);
  });
})();
`;
