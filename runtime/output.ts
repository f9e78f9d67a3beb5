// Where a session's output goes and in which format. Everything bpftrace prints on stdout goes
// through one OutputSink (declared in src/functions/runtime-contract.ts): text (bpftrace's
// default) or line-delimited JSON (-f json), to stdout or to a file (-o FILE). Output is collected per drain and written with one write(2) at each flush,
// so a pipe (`| grep`) sees every line as soon as the drain that produced it ends.

import { closeSync, openSync } from 'node:fs';
import { writeBytes } from '../common/stdio';
import { BpfscriptError, render, type Sources } from '../common/diagnostics';
import type { Span } from '../common/diagnostics';
import type { Type, Value } from '../common/types';
import type { MapData, OutputSink, PrintOptions } from '../src/functions';
import { formatAllMapsJson, formatExitMapsJson, formatMapJson, jsonLine, jsonString, jsonValue } from './format/json';
import { formatAllMaps, formatExitMaps, formatMap } from './format/maps';
import { formatValue } from './format/values';
import { dialectStyle, type DialectStyle } from './format/dialects';
import type { Dialect } from '../common/dialect';
import { FoldedSink } from './flamegraph/sink';
import { PprofSink } from './flamegraph/pprof-sink';
import { isatty } from 'node:tty';

export type { OutputSink };

export type OutputFormat = 'text' | 'json' | 'folded' | 'pprof';

/** -B: stdout buffering as bpftrace sets it with setvbuf (line is the default). */
export type BufferMode = 'line' | 'full' | 'none';
/** glibc's BUFSIZ, the buffer bpftrace gives setvbuf. */
const BUFSIZ = 8192;

export const OUTPUT_FORMATS: readonly OutputFormat[] = ['text', 'json', 'folded', 'pprof'];

/** Why output stopped: the reader went away (EPIPE), or writing failed (a full disk: ENOSPC). */
export type WriteFailure = { kind: 'closed' } | { kind: 'error'; error: NodeJS.ErrnoException };

/** A byte stream on a file descriptor: strings are byte strings (one char per byte). */
class FdWriter {
  private chunks: string[] = [];
  private pending = 0;
  /** Set by the first failed write: later output has nowhere to go and is dropped. */
  private failed = false;

  constructor(
    private readonly fd: number,
    private readonly owned: boolean,
    private readonly buffering: BufferMode = 'line',
    private readonly onFailure: (f: WriteFailure) => void = () => {},
  ) {}

  /** Set while output is held apart (a --test run's output, shown only if the test fails). */
  private diverted: string[] | null = null;

  /** Holds what is written from now on apart, until the returned function takes it back. */
  divert(): () => string {
    const held: string[] = (this.diverted = []);
    return () => {
      if (this.diverted === held) this.diverted = null;
      return held.join('');
    };
  }

  write(s: string): void {
    if (this.diverted) {
      this.diverted.push(s);
      return;
    }
    if (!s || this.failed) return;
    this.chunks.push(s);
    this.pending += s.length;
    if (this.buffering === 'none') this.flush();
  }

  /** -B full holds output back like stdio's full buffering: written once BUFSIZ bytes are pending. */
  flush(force = false): void {
    if (!this.chunks.length || (!force && this.buffering === 'full' && this.pending < BUFSIZ)) return;
    this.pending = 0;
    const text = this.chunks.join('');
    this.chunks = [];
    try {
      if (writeAll(this.fd, text)) return;
      this.failed = true;
      this.onFailure({ kind: 'closed' });
    } catch (e) {
      this.failed = true;
      this.onFailure({ kind: 'error', error: e as NodeJS.ErrnoException });
    }
  }

  close(): void {
    this.flush(true);
    if (this.owned) closeSync(this.fd);
  }
}

/** Writes all of `text`; false when the reader has gone away (EPIPE). */
export function writeAll(fd: number, text: string): boolean {
  return writeBytes(fd, Buffer.from(text, 'latin1'));
}

/**
 * The two newlines before the exit-time maps: bpftrace prints them on stdout even with -o FILE,
 * where the maps themselves go to the file.
 */
type ExitSeparator = (maps: string) => void;

function exitWriter(w: FdWriter, toFile: boolean): ExitSeparator {
  if (!toFile) return (text) => w.write(text);
  return (text) => {
    const bare = text.startsWith('\n\n') ? 2 : 0;
    if (bare) writeAll(1, text.slice(0, bare));
    w.write(text.slice(bare));
  };
}

/** A line for stderr, after what the output holds so far, so the two keep their order. */
function toStderr(w: FdWriter, text: string): void {
  w.flush(true);
  writeAll(2, text);
}

class TextSink implements OutputSink {
  constructor(
    protected readonly w: FdWriter,
    private readonly exitOut: ExitSeparator,
    private readonly dialect: Dialect | undefined,
    private readonly sources?: Sources,
  ) {}
  private get style(): DialectStyle {
    return dialectStyle(this.dialect);
  }
  private note(text: string): void {
    if (this.style.messagesOnStderr) toStderr(this.w, text);
    else this.w.write(text);
  }
  attached(n: number): void {
    this.note(this.style.attachedText(n));
  }
  printf(text: string): void {
    this.w.write(text);
  }
  time(text: string): void {
    this.w.write(text);
  }
  message(_type: string, text: string, newline: boolean): void {
    this.w.write(newline ? `${text}\n` : text);
  }
  value(t: Type, v: Value): void {
    this.w.write(`${formatValue(t, v, this.dialect)}\n`);
  }
  map(m: MapData, opts?: PrintOptions): void {
    this.w.write(formatMap(m, opts, this.dialect));
  }
  exitMaps(maps: readonly MapData[]): void {
    this.exitOut(formatExitMaps(maps, this.dialect));
  }
  allMaps(maps: readonly MapData[]): void {
    this.w.write(formatAllMaps(maps, this.dialect));
  }
  lostEvents(n: bigint): void {
    this.note(this.style.lostText(n));
  }
  lostTotal(n: bigint): void {
    const line = this.style.totalLost?.(n);
    if (line) toStderr(this.w, line);
  }
  helperError(helper: string, retcode: bigint, span: Span): void {
    // bpftrace's words, in order with the events around it: 0.17 on stdout, 0.26 on stderr.
    const text = render({ severity: 'WARNING', message: this.style.helperText(helper, retcode), span }, this.sources);
    if (this.style.helperOnStderr) toStderr(this.w, text);
    else this.w.write(text);
  }
  divert(): () => string {
    return this.w.divert();
  }
  flush(): void {
    this.w.flush();
  }
  close(): void {
    this.w.close();
  }
}

class JsonSink implements OutputSink {
  constructor(
    private readonly w: FdWriter,
    private readonly exitOut: ExitSeparator,
    private readonly dialect: Dialect | undefined,
  ) {}
  private get style(): DialectStyle {
    return dialectStyle(this.dialect);
  }
  attached(n: number): void {
    this.w.write(this.style.attachedJson(n));
  }
  printf(text: string): void {
    this.w.write(jsonLine('printf', jsonString(text)));
  }
  time(text: string): void {
    this.w.write(jsonLine('time', jsonString(text)));
  }
  message(type: string, text: string): void {
    this.w.write(jsonLine(type, jsonString(text)));
  }
  value(t: Type, v: Value): void {
    this.w.write(jsonLine('value', jsonValue(t, v, this.dialect)));
  }
  map(m: MapData, opts?: PrintOptions): void {
    this.w.write(formatMapJson(m, opts, this.dialect));
  }
  exitMaps(maps: readonly MapData[]): void {
    this.exitOut(formatExitMapsJson(maps, this.dialect));
  }
  allMaps(maps: readonly MapData[]): void {
    this.w.write(formatAllMapsJson(maps, this.dialect));
  }
  lostEvents(n: bigint): void {
    this.w.write(this.style.lostJson(n));
  }
  lostTotal(n: bigint): void {
    // bpftrace 0.26 logs it on stderr in either format.
    const line = this.style.totalLost?.(n);
    if (line) toStderr(this.w, line);
  }
  helperError(helper: string, retcode: bigint, span: Span): void {
    this.w.write(this.style.helperJson(helper, retcode, span));
  }
  record(type: string, data: string): void {
    this.w.write(jsonLine(type, data));
  }
  divert(): () => string {
    return this.w.divert();
  }
  flush(): void {
    this.w.flush();
  }
  close(): void {
    this.w.close();
  }
}

function openOutputFile(file: string): number {
  try {
    return openSync(file, 'w');
  } catch (e) {
    throw new BpfscriptError({ severity: 'ERROR', message: `cannot write the output file ${file}: ${(e as Error).message}`, hint: 'check that its directory exists and is writable' });
  }
}

export interface OutputOptions {
  format?: OutputFormat;
  /** -o FILE: created or truncated; stdout when absent. */
  file?: string;
  /** -B: applies to stdout only, as in bpftrace (-o FILE is always fully written per flush). */
  buffering?: BufferMode;
  /** Called once, at the first write that fails; the sink then drops what follows. */
  onFailure?: (f: WriteFailure) => void;
  /** The script's text, for warnings that show its lines (-k). */
  sources?: Sources;
  /** Which bpftrace's output to write (common/dialect.ts); absent means 0.17. */
  dialect?: Dialect;
  /** --no-warnings (-f folded names the maps it leaves out). */
  noWarnings?: boolean;
}

export function createOutput(opts: OutputOptions = {}): OutputSink {
  const w = opts.file !== undefined ? new FdWriter(openOutputFile(opts.file), true, 'line', opts.onFailure) : new FdWriter(1, false, opts.buffering, opts.onFailure);
  const exitOut = exitWriter(w, opts.file !== undefined && dialectStyle(opts.dialect).exitSeparatorOnStdout);
  const text = (writer: FdWriter, exit: ExitSeparator) => new TextSink(writer, exit, opts.dialect, opts.sources);
  // -f folded and -f pprof keep their output a valid file: what else the session says goes to
  // stderr, in the text format.
  const notes = () => {
    const e = new FdWriter(2, false, 'line');
    return text(e, (t) => e.write(t));
  };
  switch (opts.format) {
    case 'json':
      return new JsonSink(w, exitOut, opts.dialect);
    // The flame-graph sinks (and node:tty, which only pprof asks) are required only when chosen:
    // node's own modules cost every other run resident memory (pprof's node:zlib ~2 MB, tty 0.7).
    case 'folded':
      return new (require('./flamegraph/sink') as typeof import('./flamegraph/sink')).FoldedSink(text(w, exitOut), notes(), { write: (t) => w.write(t), noWarnings: opts.noWarnings });
    case 'pprof':
      return new (require('./flamegraph/pprof-sink') as typeof import('./flamegraph/pprof-sink')).PprofSink(notes(), { write: (t) => w.write(t), flush: () => w.flush(), close: () => w.close(), terminal: opts.file === undefined && (require('node:tty') as typeof import('node:tty')).isatty(1), noWarnings: opts.noWarnings });
    default:
      return text(w, exitOut);
  }
}
