// -f pprof's output: the profile alone goes to stdout or -o FILE, written once at exit, so the file
// is a valid profile; everything else the session prints (printf, print(), the attach line, lost
// events) goes to stderr as the text format shows it. SIGUSR1 writes nothing: a second profile in
// the same stream would make it unreadable.

import type { Span } from '../../common/diagnostics';
import { BpfscriptError } from '../../common/diagnostics';
import type { MapData, OutputSink, PrintOptions } from '../../src/functions';
import type { Type, Value } from '../../common/types';
import { checkPprofFormat, pprofProfile } from './pprof';
import { lostTotalOf } from './sink';

export interface PprofSinkOptions {
  /** Writes bytes (one char per byte) to the output, flushed with `flush`. */
  write: (bytes: string) => void;
  flush: () => void;
  close: () => void;
  /** The output is stdout and stdout is a terminal. */
  terminal: boolean;
  noWarnings?: boolean;
}

export class PprofSink implements OutputSink {
  /** `notes`: the text format on stderr. */
  constructor(
    private readonly notes: OutputSink,
    private readonly opts: PprofSinkOptions,
  ) {
    if (opts.terminal) {
      throw new BpfscriptError({ severity: 'ERROR', message: '-f pprof writes a binary profile, not for a terminal', hint: 'write it to a file: -o profile.pb.gz (or redirect stdout)' });
    }
    checkPprofFormat();
  }

  attached(n: number): void {
    this.notes.attached(n);
  }
  printf(text: string): void {
    this.notes.printf(text);
  }
  time(text: string): void {
    this.notes.time(text);
  }
  message(type: string, text: string, newline: boolean): void {
    this.notes.message(type, text, newline);
  }
  value(t: Type, v: Value): void {
    this.notes.value(t, v);
  }
  map(m: MapData, opts?: PrintOptions): void {
    this.notes.map(m, opts);
  }
  exitMaps(maps: readonly MapData[]): void {
    const { bytes, skipped } = pprofProfile(maps);
    if (!this.opts.noWarnings) for (const m of skipped) this.notes.printf(`WARNING: -f pprof: ${m.name} is not keyed by kstack or ustack with numeric values, so it is not in the profile\n`);
    this.opts.write(Buffer.from(bytes).toString('latin1'));
  }
  allMaps(): void {
    if (!this.opts.noWarnings) this.notes.printf('WARNING: -f pprof writes its profile once, at exit; SIGUSR1 prints nothing\n');
  }
  lostEvents(n: bigint): void {
    this.notes.lostEvents(n);
  }
  lostTotal(n: bigint): void {
    lostTotalOf(this.notes)(n);
  }
  helperError(helper: string, retcode: bigint, span: Span): void {
    this.notes.helperError(helper, retcode, span);
  }
  flush(): void {
    this.notes.flush();
    this.opts.flush();
  }
  close(): void {
    this.notes.close();
    this.opts.close();
  }
}
