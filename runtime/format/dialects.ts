// What the two output dialects (common/dialect.ts) write differently, where that is not one value
// format's or one aggregation's own business (those say it in their modules: ValueFormat.jsonIn,
// AggregateDef.textIn): the session's own messages, the layout of printed maps and keys, integers
// and pointers. One table per dialect, so the session, the sinks (runtime/output.ts) and the map
// printers (maps.ts, json.ts) ask it instead of testing versions.
//
// 0.26 as bpftrace v0.26.1 writes it (src/output/text.cpp, json.cpp, types_format.cpp):
// - "Attached N probes" and "Lost N events" go to stderr in the text format; JSON's objects carry
//   a top-level "count" besides "data";
// - after the run, "WARNING: Total lost event count: N" on stderr when records were lost;
// - a histogram's heading is `@h:` with no trailing space; averaged maps (avg, stats) get no blank
//   line after them; an empty map prints nothing; keys print as values do (integers with their
//   own signedness, structs as `{ .m = 2 }`);
// - JSON's exit dump has no leading blank lines, and its keys lose their spaces ("a,b");
// - a program of only BEGIN/END probes ends by itself after BEGIN; --dry-run prints nothing;
// - pointers print in hex; a keyless count() that was never updated (or was cleared) prints nothing.

import type { Dialect } from '../../common/dialect';
import type { Span } from '../../common/diagnostics';
import { jsonString } from '../../common/format/json-string';
import { strerrorText } from './resolve-ids';

export interface DialectStyle {
  /** The text format's "Attaching N probes..." / "Attached N probes" line. */
  attachedText(n: number): string;
  lostText(n: bigint): string;
  /** Those two lines go to stderr rather than to the output. */
  messagesOnStderr: boolean;
  /** The attach line comes once the probes are attached ("Attached"), not before ("Attaching"). */
  announcesAfterAttach: boolean;
  attachedJson(n: number): string;
  lostJson(n: bigint): string;
  /** The stderr line after the run when records were lost in all (none in 0.17). */
  totalLost?(n: bigint): string;
  /** What follows `@h[k]:` before a histogram's lines. */
  histHeadingTail: string;
  /** A blank line after the entries of an averaged map (avg, stats). */
  averagedBlankLine: boolean;
  /** An empty map prints one blank line (two averaged) rather than nothing. */
  emptyMapLine: boolean;
  /** Keys print as the same values print (0.26: integers with their own signedness, structs as
   * `{ .m = 2 }`), rather than 0.17's key forms (integers widened to signed 64 bits, `{.m=2}`). */
  keysAsValues: boolean;
  /** Before the text of the exit dump of maps. */
  exitSeparatorText: string;
  /** Before the JSON exit dump of maps. */
  exitSeparatorJson: string;
  /** With -o FILE the exit dump's leading newlines still go to stdout (0.17's quirk; 0.26 writes
   * them into the file with the maps). */
  exitSeparatorOnStdout: boolean;
  /** JSON map keys with their spaces removed. */
  jsonKeysWithoutSpaces: boolean;
  /** A program of BEGIN and END probes only ends once BEGIN's output is printed (0.26), rather
   * than tracing on until Ctrl-C (0.17). */
  endsWithoutProbes: boolean;
  /** Where the runtime-test engine's __BPFTRACE_NOTIFY_PROBES_ATTACHED goes: 0.17 stderr, 0.26 stdout. */
  notifyFd: 1 | 2;
  /** An integer in JSON: 0.26 writes one a double cannot hold exactly as a string (RFC 8259). */
  jsonInt(n: bigint): string;
  /** A keyless count() never updated (or cleared) prints 0 (0.17) rather than nothing (0.26). */
  zeroCountsPrint: boolean;
  /** Pointer values print in hex (0.26: `@: 0x33`) rather than in decimal (0.17). */
  pointersInHex: boolean;
  /** --dry-run prints nothing at all (0.26), not the attach line and BEGIN's output (0.17). */
  dryRunSilent: boolean;
  /** A failed helper's warning (-k): its words, and whether it goes to stderr. */
  helperText(helper: string, retcode: bigint): string;
  helperOnStderr: boolean;
  helperJson(helper: string, retcode: bigint, span: Span): string;
}

const errnoWords = (retcode: bigint) => (retcode === 0n ? 'Success' : strerrorText(-retcode));
const E2BIG = -7n;
const ENOENT = -2n;

/** bpftrace 0.26's words for a failed helper (src/output/text.cpp runtime_error). */
function helperWords026(helper: string, retcode: bigint): string {
  if (helper === 'map_update_elem' && retcode === E2BIG) {
    return "Map full; can't update element. Try increasing max_map_keys config or manually setting the max entries in a map declaration e.g. `let @a = hash(5000)`";
  }
  if (helper === 'map_delete_elem' && retcode === ENOENT) return "Can't delete map element because it does not exist.";
  if (helper === 'map_lookup_elem') return "Can't lookup map element because it does not exist.";
  return errnoWords(retcode);
}

const plural = (n: number | bigint, one: string) => `${one}${n === 1 || n === 1n ? '' : 's'}`;

const V017: DialectStyle = {
  attachedText: (n) => `Attaching ${n} ${plural(n, 'probe')}...\n`,
  lostText: (n) => `Lost ${n} events\n`,
  messagesOnStderr: false,
  announcesAfterAttach: false,
  attachedJson: (n) => `{"type": "attached_probes", "data": {"probes": ${n}}}\n`,
  lostJson: (n) => `{"type": "lost_events", "data": {"events": ${n}}}\n`,
  histHeadingTail: ' ',
  averagedBlankLine: true,
  emptyMapLine: true,
  keysAsValues: false,
  exitSeparatorText: '\n\n',
  exitSeparatorJson: '\n\n',
  exitSeparatorOnStdout: true,
  jsonKeysWithoutSpaces: false,
  endsWithoutProbes: false,
  notifyFd: 2,
  jsonInt: (n) => n.toString(),
  zeroCountsPrint: true,
  pointersInHex: false,
  dryRunSilent: false,
  helperText: (helper, retcode) => `Failed to ${helper}: ${retcode === 0n ? '0' : `${strerrorText(-retcode)} (${retcode})`}`,
  helperOnStderr: false,
  // bpftrace 0.17's object, members at the top level rather than under "data".
  helperJson: (helper, retcode, span) => `{"type": "helper_error", "helper": ${jsonString(helper)}, "retcode": ${retcode}, "line": ${span.line}, "col": ${span.col}}\n`,
};

const V026: DialectStyle = {
  attachedText: (n) => `Attached ${n} ${plural(n, 'probe')}\n`,
  lostText: (n) => `Lost ${n} events\n`,
  messagesOnStderr: true,
  announcesAfterAttach: true,
  attachedJson: (n) => `{"type": "attached_probes", "count": ${n}, "data": {"probes": ${n}}}\n`,
  lostJson: (n) => `{"type": "lost_events", "count": ${n}, "data": {"events": ${n}}}\n`,
  totalLost: (n) => `WARNING: Total lost event count: ${n}\n`,
  histHeadingTail: '',
  averagedBlankLine: false,
  emptyMapLine: false,
  keysAsValues: true,
  exitSeparatorText: '\n\n',
  exitSeparatorJson: '',
  exitSeparatorOnStdout: false,
  jsonKeysWithoutSpaces: true,
  endsWithoutProbes: true,
  notifyFd: 1,
  jsonInt: (n) => (BigInt(Number(n)) === n ? n.toString() : `"${n}"`),
  zeroCountsPrint: false,
  pointersInHex: true,
  dryRunSilent: true,
  helperText: (helper, retcode) => `${helperWords026(helper, retcode)}\nAdditional Info - helper: ${helper}, retcode: ${retcode}`,
  helperOnStderr: true,
  helperJson: (helper, retcode, span) =>
    `{"type": "helper_error", "msg": ${jsonString(errnoWords(retcode))}, "helper": ${jsonString(helper)}, "retcode": ${retcode}, "filename": ${jsonString(span.file)}, "line": ${span.line}, "col": ${span.col}}\n`,
};

const STYLES: Record<Dialect, DialectStyle> = { '0.17': V017, '0.26': V026 };

/** The style of a dialect; absent means 0.17, the default. */
export function dialectStyle(d: Dialect | undefined): DialectStyle {
  return STYLES[d ?? '0.17'];
}
