// Errors and warnings with source spans, rendered the way bpftrace renders them:
//   stdin:1:14-17: ERROR: Unknown function: foo
//   BEGIN { @x = foo(1); }
//                ~~~
// plus an optional HINT line of our own. Every user-facing failure in any stage becomes a
// Diagnostic inside a BpfscriptError, so the CLI has exactly one place that prints and exits 1.

/** Where in the source a node, a diagnostic or a runtime error points. */
export interface Span {
  /** File name as shown in diagnostics: the script path, or "stdin" for -e. */
  file: string;
  /** 0-based character offsets into the source, end exclusive. */
  start: number;
  end: number;
  /** 1-based line and column of the first character. */
  line: number;
  col: number;
  /** 1-based line and column of the last character (inclusive). */
  endLine: number;
  endCol: number;
  /** Set on the nodes a macro expansion copied: the call that expanded them (itself possibly expanded). */
  expandedFrom?: Span;
}

export type Severity = 'ERROR' | 'WARNING';

export interface Diagnostic {
  severity: Severity;
  message: string;
  span?: Span;
  hint?: string;
  /** Lines printed under the source excerpt, before the hint (a verifier rejection's explanation). */
  notes?: string[];
  /** The attach point names something this system lacks (a tracepoint, function, symbol or
   * binary): config missing_probes decides whether that fails the compile. */
  missing?: boolean;
  /** Printed as the bare message, as bpftrace 0.26 prints "No probes to attach" (no ERROR: or span). */
  plain?: boolean;
}

/** Thrown by any stage for input the user can fix; carries one or more diagnostics. */
export class BpfscriptError extends Error {
  readonly diagnostics: Diagnostic[];
  constructor(diagnostics: Diagnostic | Diagnostic[]) {
    const list = Array.isArray(diagnostics) ? diagnostics : [diagnostics];
    super(list.map((d) => d.message).join('; '));
    this.name = 'BpfscriptError';
    this.diagnostics = list;
  }
}

export function error(message: string, span?: Span, hint?: string): BpfscriptError {
  return new BpfscriptError({ severity: 'ERROR', message, span, hint });
}

/** An attach point that names something this system does not have (see Diagnostic.missing). */
export function missingTarget(message: string, span?: Span, hint?: string): BpfscriptError {
  return new BpfscriptError({ severity: 'ERROR', message, span, hint, missing: true });
}

/** Collects diagnostics during a pass so several errors can be reported at once. */
export class DiagnosticBag {
  readonly items: Diagnostic[] = [];
  error(message: string, span?: Span, hint?: string): void {
    this.items.push({ severity: 'ERROR', message, span, hint });
  }
  warning(message: string, span?: Span, hint?: string): void {
    this.items.push({ severity: 'WARNING', message, span, hint });
  }
  get hasErrors(): boolean {
    return this.items.some((d) => d.severity === 'ERROR');
  }
  /** Throws the collected errors (and warnings alongside them) if there are any errors. */
  throwIfErrors(): void {
    if (this.hasErrors) throw new BpfscriptError(this.items);
  }
}

/** The sources a program was built from, by file name, so spans can be shown with their line. */
export type Sources = ReadonlyMap<string, string>;

/**
 * Sources read during the compile besides the script (imported files, the standard library), so
 * a diagnostic inside one shows its line as well.
 */
const loadedSources = new Map<string, string>();
export function registerSource(file: string, text: string): void {
  loadedSources.set(file, text);
}

export function render(d: Diagnostic, sources?: Sources): string {
  const out: string[] = [];
  if (d.plain) {
    out.push(d.message);
  } else if (!d.span) {
    out.push(`${d.severity}: ${d.message}`);
  } else {
    located(out, d.span, d.severity, d.message, sources);
  }
  if (d.notes) out.push(...d.notes);
  if (d.hint) out.push(`HINT: ${d.hint}`);
  // As bpftrace: code a macro expanded names each call it came through, innermost first.
  for (let from = d.span?.expandedFrom; from; from = from.expandedFrom) located(out, from, d.severity, 'expanded from', sources);
  return out.join('\n') + '\n';
}

function located(out: string[], s: Span, severity: Severity, message: string, sources?: Sources): void {
  // bpftrace prints the end column exclusive and only for single-line spans.
  const cols = s.endLine === s.line ? `${s.col}-${s.endCol + 1}` : `${s.col}`;
  out.push(`${s.file}:${s.line}:${cols}: ${severity}: ${message}`);
  const text = sources?.get(s.file) ?? loadedSources.get(s.file);
  if (text !== undefined) {
    const line = sourceLine(text, s.line);
    out.push(line);
    const width = s.endLine === s.line ? Math.max(1, s.endCol - s.col + 1) : Math.max(1, line.length - s.col + 1);
    out.push(' '.repeat(s.col - 1) + '~'.repeat(width));
  }
}

/** The last source split into lines: thousands of diagnostics on one source split it once. */
let split: { text: string; lines: string[] } | undefined;
function sourceLine(text: string, line: number): string {
  if (split?.text !== text) split = { text, lines: text.split('\n') };
  return split.lines[line - 1] ?? '';
}

export function renderAll(ds: readonly Diagnostic[], sources?: Sources): string {
  return ds.map((d) => render(d, sources)).join('');
}

/** Builds a span from offsets in `text` (used by passes that synthesize spans, and by tests). */
export function spanAt(file: string, text: string, start: number, end: number): Span {
  const pos = (off: number): [number, number] => {
    let line = 1;
    let col = 1;
    for (let i = 0; i < off && i < text.length; i++) {
      if (text[i] === '\n') {
        line++;
        col = 1;
      } else col++;
    }
    return [line, col];
  };
  const [line, col] = pos(start);
  const [endLine, endCol] = pos(Math.max(start, end - 1));
  return { file, start, end, line, col, endLine, endCol };
}
