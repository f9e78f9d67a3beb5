// -f pprof's output: the profile alone goes to stdout or -o FILE, written once at exit, so the file
// is a valid profile; everything else the session prints (printf, print(), the attach line, lost
// events) goes to stderr as the text format shows it. SIGUSR1 writes nothing: a second profile in
// the same stream would make it unreadable.

import type { Span } from '../../src/ast';
import { BpfscriptError, render, type Sources } from '../../src/diagnostics';
import type { MapData, OutputSink, PrintOptions } from '../../src/functions';
import type { Type, Value } from '../../src/types';
import { formatMap } from '../format/maps';
import { strerrorText } from '../format/resolve-ids';
import { formatValue } from '../format/values';
import { checkPprofFormat, pprofProfile } from './pprof';

export interface PprofSinkOptions {
  /** Writes bytes (one char per byte) to the output, flushed with `flush`. */
  write: (bytes: string) => void;
  flush: () => void;
  close: () => void;
  /** Writes text to stderr. */
  stderr: (text: string) => void;
  /** The output is stdout and stdout is a terminal. */
  terminal: boolean;
  noWarnings?: boolean;
  sources?: Sources;
}

export class PprofSink implements OutputSink {
  constructor(private readonly opts: PprofSinkOptions) {
    if (opts.terminal) {
      throw new BpfscriptError({ severity: 'ERROR', message: '-f pprof writes a binary profile, not for a terminal', hint: 'write it to a file: -o profile.pb.gz (or redirect stdout)' });
    }
    checkPprofFormat();
  }

  attached(n: number): void {
    this.opts.stderr(`Attaching ${n} probe${n === 1 ? '' : 's'}...\n`);
  }
  printf(text: string): void {
    this.opts.stderr(text);
  }
  time(text: string): void {
    this.opts.stderr(text);
  }
  message(_type: string, text: string, newline: boolean): void {
    this.opts.stderr(newline ? `${text}\n` : text);
  }
  value(t: Type, v: Value): void {
    this.opts.stderr(`${formatValue(t, v)}\n`);
  }
  map(m: MapData, opts?: PrintOptions): void {
    this.opts.stderr(formatMap(m, opts));
  }
  exitMaps(maps: readonly MapData[]): void {
    const { bytes, skipped } = pprofProfile(maps);
    if (!this.opts.noWarnings) for (const m of skipped) this.opts.stderr(`WARNING: -f pprof: ${m.name} is not keyed by kstack or ustack with numeric values, so it is not in the profile\n`);
    this.opts.write(Buffer.from(bytes).toString('latin1'));
  }
  allMaps(): void {
    if (!this.opts.noWarnings) this.opts.stderr('WARNING: -f pprof writes its profile once, at exit; SIGUSR1 prints nothing\n');
  }
  lostEvents(n: bigint): void {
    this.opts.stderr(`Lost ${n} events\n`);
  }
  helperError(helper: string, retcode: bigint, span: Span): void {
    const why = retcode === 0n ? '0' : `${strerrorText(-retcode)} (${retcode})`;
    this.opts.stderr(render({ severity: 'WARNING', message: `Failed to ${helper}: ${why}`, span }, this.opts.sources));
  }
  flush(): void {
    this.opts.flush();
  }
  close(): void {
    this.opts.close();
  }
}
