// Reads the kernel verifier's log. A failed load becomes a diagnostic that points at the script's
// line (the log carries "; text @ file:line" comments from our BTF line info), says in plain words
// why the verifier refused, with the instructions behind it (./verifier-log: the catalogue of
// rejections), and names the usual fix. A successful load at log level 4 yields the
// figures the teaching view prints (instructions processed, stack depth, verification time).

import type { Span } from '../common/diagnostics';
import { BpfscriptError, type Diagnostic } from '../common/diagnostics';
import type { LibbpfError } from './libbpf';
import { BTF_FILE_PREFIX } from '../src/compiled';
import { explainLog, renderExplanation } from './verifier-log';

const TAIL_LINES = 12;

/** The kernel's log level bits (BPF_LOG_LEVEL1, BPF_LOG_LEVEL2, BPF_LOG_STATS). */
export const VerifierLogLevel = { Trace: 1, Verbose: 2, Stats: 4 } as const;

export interface VerifierStats {
  /** Instructions the verifier walked across all paths, and its limit. */
  processed: number;
  limit: number;
  /** Stack bytes per function (the main program first). */
  stackDepth: number[];
  totalStates?: number;
  peakStates?: number;
  timeUsec?: number;
}

/** The statistics lines of a log written at level 4 (or the tail of a level 1–2 log). */
export function parseVerifierStats(log: string): VerifierStats | null {
  const p = /processed (\d+) insns \(limit (\d+)\)(?: max_states_per_insn \d+ total_states (\d+) peak_states (\d+))?/.exec(log);
  if (!p) return null;
  const stats: VerifierStats = { processed: Number(p[1]), limit: Number(p[2]), stackDepth: [] };
  if (p[3] !== undefined) stats.totalStates = Number(p[3]);
  if (p[4] !== undefined) stats.peakStates = Number(p[4]);
  const s = /stack depth ([\d+]+)/.exec(log);
  if (s) stats.stackDepth = s[1].split('+').filter(Boolean).map(Number);
  const t = /verification time (\d+) usec/.exec(log);
  if (t) stats.timeUsec = Number(t[1]);
  return stats;
}

export interface SourceLocation {
  file: string;
  line: number;
  text: string;
}

/** The source line of the last "; text @ file:line" comment before the rejection. */
export function rejectedAt(log: string): SourceLocation | null {
  let found: SourceLocation | null = null;
  for (const l of log.split('\n')) {
    const m = /^; ?(.*?) @ (.+):(\d+)$/.exec(l);
    if (m) {
      const file = m[2].replace(/^\.\//, '');
      found = { text: m[1].trim(), file: file.startsWith(BTF_FILE_PREFIX) ? file.slice(BTF_FILE_PREFIX.length) : file, line: Number(m[3]) };
    }
  }
  return found;
}

/** The verifier's own reason: the last line that is neither statistics nor an instruction trace. */
export function rejectionLine(log: string): string {
  const lines = log.split('\n').map((l) => l.trim()).filter(Boolean);
  for (let i = lines.length - 1; i >= 0; i--) {
    const l = lines[i];
    if (/^(processed \d+ insns|verification time|stack depth|-- END|-- BEGIN|libbpf:|cur state:|old state:)/.test(l)) continue;
    if (/^\d+: \([0-9a-f]{2}\)|^\d+: R\d|^; /.test(l)) continue;
    return l;
  }
  return '';
}

function programOf(e: LibbpfError): string | undefined {
  for (const m of e.messages) {
    const p = /prog '([^']+)'/.exec(m.text);
    if (p) return p[1];
  }
  return undefined;
}

/**
 * `files`: the script's file names as given; the kernel's log names only the last part of each
 * (kbasename), so the span gets the full name back and shows the script's line.
 */
export function explainLoadFailure(e: LibbpfError, log: string, files: Iterable<string> = []): BpfscriptError {
  const full = log || e.verifierLog;
  const lines = full.split('\n').filter((l) => l.trim() !== '');
  const tail = lines.slice(-TAIL_LINES).join('\n');
  if (e.errno === 1 /* EPERM */ && !tail) {
    return new BpfscriptError({
      severity: 'ERROR',
      message: `the kernel refused to load the BPF programs: ${e.message}`,
      hint: 'bpfscript needs root (CAP_BPF and CAP_PERFMON)',
    });
  }
  const explained = explainLog(full);
  const said = explained?.said ?? rejectionLine(full);
  const reason = explained?.kind;
  const where = rejectedAt(full);
  const prog = programOf(e);
  const diag: Diagnostic = {
    severity: 'ERROR',
    message: reason
      ? `the BPF verifier rejected ${prog ?? 'the program'}: ${reason.why} (the verifier said: ${said})`
      : `the BPF verifier rejected the program: ${e.message}${tail ? `\n${tail}` : ''}`,
    hint: reason?.fix ?? 'this is most likely a bpfscript bug; please report it with the script',
  };
  if (explained) diag.notes = renderExplanation(explained);
  if (where) {
    const full = [...files].find((f) => f === where.file || f.endsWith(`/${where.file}`));
    diag.span = lineSpan(full ? { ...where, file: full } : where);
  }
  return new BpfscriptError(diag);
}

/** A span covering a whole source line: the log names the line, not the column. */
function lineSpan(w: SourceLocation): Span {
  // endLine past the line makes the renderer underline to the end of the line whatever its length.
  return { file: w.file, start: 0, end: 0, line: w.line, col: 1, endLine: w.line + 1, endCol: 1 };
}
