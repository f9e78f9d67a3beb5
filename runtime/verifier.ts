// Reads the kernel verifier's log. A failed load becomes a diagnostic that points at the script's
// line (the log carries "; text @ file:line" comments from our BTF line info), says in plain words
// why the verifier refused, and names the usual fix. A successful load at log level 4 yields the
// figures the teaching view prints (instructions processed, stack depth, verification time).

import type { Span } from '../src/ast';
import { BpfscriptError, type Diagnostic } from '../src/diagnostics';
import type { LibbpfError } from './libbpf';
import { BTF_FILE_PREFIX } from '../src/compiled';

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

interface Reason {
  test: RegExp;
  why: string;
  fix: string;
}

// The refusals a script can provoke, in the words a learner needs. Most point at a code-generation
// bug in bpfscript rather than at the script, and say so.
const REASONS: Reason[] = [
  {
    test: /invalid mem access '(map_value_or_null|\w*_or_null)'/,
    why: 'a pointer that may be NULL (a map lookup result) is used without checking it first',
    fix: 'check the pointer before using it; for a script this is a bpfscript bug, please report it',
  },
  {
    test: /back-edge from insn|infinite loop detected|loop is not bounded|unbounded loop/,
    why: 'the program contains a loop the verifier cannot prove ends',
    fix: 'bound the loop: use unroll(N) or a while loop with a constant limit on its counter',
  },
  {
    test: /BPF program is too large|too many states|complexity limit/,
    why: 'the program has too many paths for the verifier to check (1 million instructions walked)',
    fix: 'make it simpler: fewer unrolled iterations, fewer branches, or split it over several probes',
  },
  {
    test: /combined stack size|stack (?:limit|depth) exceeded|invalid (?:write|read) to stack R10 off=-(?:5[1-9]\d|[6-9]\d\d)/,
    why: 'the program needs more than the 512 bytes of stack a BPF program may use',
    fix: 'use smaller strings (str(x, N), or a smaller BPFSCRIPT_STRLEN), fewer variables, or fewer map keys per probe',
  },
  {
    test: /invalid indirect read from stack|invalid read from stack|!read_ok/,
    why: 'the program reads memory or a register it never wrote',
    fix: 'this is a bpfscript code-generation bug; please report it with the script',
  },
  {
    test: /invalid access to map value|value is outside of the allowed memory range|min value is negative|max value is outside/,
    why: 'an index into a map value or buffer may fall outside it',
    fix: 'clamp the index to the buffer size before using it (e.g. $i & 0xff, or an if test)',
  },
  {
    test: /invalid bpf_context access|invalid access to context/,
    why: 'the program reads a field of the probe context this program type does not allow',
    fix: 'use the probe\'s own arguments (args, argN) rather than raw context offsets',
  },
  {
    test: /unknown func|program of this type cannot use helper|helper call is not allowed/,
    why: 'the program calls a kernel helper that this kernel or probe type does not provide',
    fix: 'use another probe type, or a newer kernel',
  },
  {
    test: /cannot call GPL-restricted function/,
    why: 'a GPL-only helper is called from a program without a GPL licence',
    fix: 'this is a bpfscript bug (programs are GPL); please report it',
  },
];

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
    if (/^(processed \d+ insns|verification time|stack depth|-- END|-- BEGIN|libbpf:)/.test(l)) continue;
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

export function explainLoadFailure(e: LibbpfError, log: string): BpfscriptError {
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
  const said = rejectionLine(full);
  const reason = REASONS.find((r) => r.test.test(full));
  const where = rejectedAt(full);
  const prog = programOf(e);
  const diag: Diagnostic = {
    severity: 'ERROR',
    message: reason
      ? `the BPF verifier rejected ${prog ?? 'the program'}: ${reason.why} (the verifier said: ${said})`
      : `the BPF verifier rejected the program: ${e.message}${tail ? `\n${tail}` : ''}`,
    hint: reason?.fix ?? 'this is most likely a bpfscript bug; please report it with the script',
  };
  if (where) diag.span = lineSpan(where);
  return new BpfscriptError(diag);
}

/** A span covering a whole source line: the log names the line, not the column. */
function lineSpan(w: SourceLocation): Span {
  // endLine past the line makes the renderer underline to the end of the line whatever its length.
  return { file: w.file, start: 0, end: 0, line: w.line, col: 1, endLine: w.line + 1, endCol: 1 };
}
