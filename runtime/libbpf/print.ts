// libbpf's print callback routed into JS. One native callback is installed for the whole process
// (libbpf keeps a single global printer); it feeds either the handler set here or, while a libbpf
// operation runs inside capture(), that operation's message list, so a failure can carry what
// libbpf said about it instead of having it scattered on stderr.

import { err } from '../../common/stdio';
import { ffi, type CallbackPtr, type RawPtr } from './ffi';
import { LogLevel, type LibbpfMessage } from './errors';

export { LogLevel, type LibbpfMessage } from './errors';

export type PrintHandler = (level: LogLevel, message: string) => void;

// libbpf's default printer writes everything but DEBUG to stderr; keep that when nobody asked.
const stderrHandler: PrintHandler = (_level, message) => err(message);

let handler: PrintHandler = stderrHandler;
let handlerMaxLevel: LogLevel = LogLevel.INFO;
let native: CallbackPtr | undefined;
let previous: RawPtr | null = null;
let formatBuf: Buffer | undefined;
const captures: LibbpfMessage[][] = [];

function format(fmt: RawPtr, ap: RawPtr): string {
  formatBuf ??= Buffer.alloc(16384);
  const n = ffi().libc.vsnprintf(formatBuf, formatBuf.length, fmt, ap);
  if (n < 0) return '';
  // A va_list can be walked only once, so a longer message is cut rather than re-formatted.
  if (n >= formatBuf.length) return formatBuf.toString('utf8', 0, formatBuf.length - 1) + '…[truncated]\n';
  return formatBuf.toString('utf8', 0, n);
}

function onPrint(level: number, fmt: RawPtr, ap: RawPtr): number {
  // A throw escaping a koffi callback makes koffi skip JS for the rest of the native call (README
  // trap 3), so nothing may leave this function.
  try {
    const lvl = level as LogLevel;
    const sink = captures[captures.length - 1];
    const wanted = sink ? Math.max(handlerMaxLevel, LogLevel.INFO) : handlerMaxLevel;
    if (lvl > wanted) return 0;
    const text = format(fmt, ap);
    if (sink) sink.push({ level: lvl, text });
    else handler(lvl, text);
  } catch {
    // a failing handler must not take libbpf's call down with it
  }
  return 0;
}

function ensureInstalled(): void {
  if (native !== undefined) return;
  const { koffi, libbpf, printProto } = ffi();
  native = koffi.register(onPrint, koffi.pointer(printProto)) as CallbackPtr;
  previous = libbpf.libbpf_set_print(native);
}

/** Routes libbpf's messages up to maxLevel (WARN < INFO < DEBUG) into handler; null restores
 * libbpf's stderr behaviour. */
export function setPrintHandler(fn: PrintHandler | null, maxLevel: LogLevel = LogLevel.INFO): void {
  ensureInstalled();
  handler = fn ?? stderrHandler;
  handlerMaxLevel = fn ? maxLevel : LogLevel.INFO;
}

/** Gives libbpf back its own printer and frees the native callback. Only for embedders that
 * unload the runtime; the CLI never needs it. */
export function restoreDefaultPrint(): void {
  if (native === undefined) return;
  const { koffi, libbpf } = ffi();
  libbpf.libbpf_set_print(previous);
  koffi.unregister(native);
  native = undefined;
  handler = stderrHandler;
  handlerMaxLevel = LogLevel.INFO;
}

export interface Captured<T> {
  result: T;
  messages: LibbpfMessage[];
}

/**
 * Runs fn with libbpf's messages collected into the array it is given instead of printed, so that
 * fn can put them on the error it throws. If fn returns, they are replayed to the handler: a
 * successful call prints what libbpf would have printed.
 */
export function capture<T>(fn: (messages: LibbpfMessage[]) => T): T {
  ensureInstalled();
  const messages: LibbpfMessage[] = [];
  captures.push(messages);
  let ok = false;
  try {
    const result = fn(messages);
    ok = true;
    return result;
  } finally {
    captures.pop();
    if (ok) replay(messages);
  }
}

function replay(messages: LibbpfMessage[]): void {
  const outer = captures[captures.length - 1];
  for (const m of messages) {
    if (outer) { outer.push(m); continue; }
    if (m.level > handlerMaxLevel) continue;
    try { handler(m.level, m.text); } catch { /* same rule as in the native callback */ }
  }
}
