// Where a session's output goes and in which format. Everything bpftrace prints on stdout goes
// through one OutputSink (declared in src/functions/runtime-contract.ts): text (bpftrace's
// default) or line-delimited JSON (-f json), to stdout or to a file (-o FILE). Output is collected per drain and written with one write(2) at each flush,
// so a pipe (`| grep`) sees every line as soon as the drain that produced it ends.

import { closeSync, openSync } from 'node:fs';
import { writeBytes } from '../src/stdio';
import { BpfscriptError, render, type Sources } from '../src/diagnostics';
import type { Span } from '../src/ast';
import { strerrorText } from './format/resolve-ids';
import type { Type, Value } from '../src/types';
import type { MapData, OutputSink, PrintOptions } from '../src/functions';
import { formatAllMapsJson, formatExitMapsJson, formatMapJson, jsonLine, jsonString, jsonValue } from './format/json';
import { formatAllMaps, formatExitMaps, formatMap } from './format/maps';
import { formatValue } from './format/values';
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

  write(s: string): void {
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

class TextSink implements OutputSink {
  constructor(
    protected readonly w: FdWriter,
    private readonly exitOut: ExitSeparator,
    private readonly sources?: Sources,
  ) {}
  attached(n: number): void {
    this.w.write(`Attaching ${n} probe${n === 1 ? '' : 's'}...\n`);
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
    this.w.write(`${formatValue(t, v)}\n`);
  }
  map(m: MapData, opts?: PrintOptions): void {
    this.w.write(formatMap(m, opts));
  }
  exitMaps(maps: readonly MapData[]): void {
    this.exitOut(formatExitMaps(maps));
  }
  allMaps(maps: readonly MapData[]): void {
    this.w.write(formatAllMaps(maps));
  }
  lostEvents(n: bigint): void {
    this.w.write(`Lost ${n} events\n`);
  }
  helperError(helper: string, retcode: bigint, span: Span): void {
    // bpftrace's words, and like bpftrace on stdout, in order with the events around it.
    const why = retcode === 0n ? '0' : `${strerrorText(-retcode)} (${retcode})`;
    this.w.write(render({ severity: 'WARNING', message: `Failed to ${helper}: ${why}`, span }, this.sources));
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
  ) {}
  attached(n: number): void {
    this.w.write(jsonLine('attached_probes', `{"probes": ${n}}`));
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
    this.w.write(jsonLine('value', jsonValue(t, v)));
  }
  map(m: MapData, opts?: PrintOptions): void {
    this.w.write(formatMapJson(m, opts));
  }
  exitMaps(maps: readonly MapData[]): void {
    this.exitOut(formatExitMapsJson(maps));
  }
  allMaps(maps: readonly MapData[]): void {
    this.w.write(formatAllMapsJson(maps));
  }
  lostEvents(n: bigint): void {
    this.w.write(jsonLine('lost_events', `{"events": ${n}}`));
  }
  helperError(helper: string, retcode: bigint, span: Span): void {
    // bpftrace 0.17's object, members at the top level rather than under "data".
    this.w.write(`{"type": "helper_error", "helper": ${jsonString(helper)}, "retcode": ${retcode}, "line": ${span.line}, "col": ${span.col}}\n`);
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
  /** --no-warnings (-f folded names the maps it leaves out). */
  noWarnings?: boolean;
}

export function createOutput(opts: OutputOptions = {}): OutputSink {
  const w = opts.file !== undefined ? new FdWriter(openOutputFile(opts.file), true, 'line', opts.onFailure) : new FdWriter(1, false, opts.buffering, opts.onFailure);
  const exitOut = exitWriter(w, opts.file !== undefined);
  const text = (writer: FdWriter, exit: ExitSeparator) => new TextSink(writer, exit, opts.sources);
  // -f folded and -f pprof keep their output a valid file: what else the session says goes to
  // stderr, in the text format.
  const notes = () => {
    const e = new FdWriter(2, false, 'line');
    return text(e, (t) => e.write(t));
  };
  switch (opts.format) {
    case 'json':
      return new JsonSink(w, exitOut);
    case 'folded':
      return new FoldedSink(text(w, exitOut), notes(), { write: (t) => w.write(t), noWarnings: opts.noWarnings });
    case 'pprof':
      return new PprofSink(notes(), { write: (t) => w.write(t), flush: () => w.flush(), close: () => w.close(), terminal: opts.file === undefined && isatty(1), noWarnings: opts.noWarnings });
    default:
      return text(w, exitOut);
  }
}
