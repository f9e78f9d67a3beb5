// -f folded: maps keyed by a stack print as folded lines (folded.ts), ready for flame graph tools;
// everything else prints as the text format prints it, because the script asked for it (printf,
// print(@m) of another map). At exit and on SIGUSR1 only the stack-keyed maps print: the other
// maps would break a folded file, so each is named once on stderr as left out. The session's own
// notes ("Attaching N probes...", lost events) go to stderr for the same reason.

import type { Span } from '../../common/diagnostics';
import type { MapData, OutputSink, PrintOptions } from '../../src/functions';
import type { Type, Value } from '../../common/types';
import { byName, selectEntries } from '../format/maps';
import { foldMap, foldedText } from './folded';

export interface FoldedSinkOptions {
  /** Writes to the output (stdout or -o FILE), as the text sink's writes go. */
  write: (text: string) => void;
  /** --no-warnings: maps left out go unmentioned. */
  noWarnings?: boolean;
}

/** A sink method that not every version of OutputSink has: called where the sink has it. */
export function lostTotalOf(sink: OutputSink): (n: bigint) => void {
  const s = sink as OutputSink & { lostTotal?(n: bigint): void };
  return (n) => s.lostTotal?.(n);
}

export class FoldedSink implements OutputSink {
  private readonly warned = new Set<string>();

  /** `text`: the text format on the output; `notes`: the text format on stderr. */
  constructor(
    private readonly text: OutputSink,
    private readonly notes: OutputSink,
    private readonly opts: FoldedSinkOptions,
  ) {}

  attached(n: number): void {
    this.notes.attached(n);
  }
  printf(text: string): void {
    this.text.printf(text);
  }
  time(text: string): void {
    this.text.time(text);
  }
  message(type: string, text: string, newline: boolean): void {
    this.text.message(type, text, newline);
  }
  value(t: Type, v: Value): void {
    this.text.value(t, v);
  }
  map(m: MapData, opts?: PrintOptions): void {
    // print(@m, top) keeps the heaviest `top` chains; div does not apply to weights.
    const stacks = foldMap({ ...m, entries: selectEntries(m, opts).entries });
    if (stacks) this.opts.write(foldedText(stacks));
    else this.text.map(m, opts);
  }
  exitMaps(maps: readonly MapData[]): void {
    this.allMaps(maps);
  }
  allMaps(maps: readonly MapData[]): void {
    let out = '';
    for (const m of byName(maps)) {
      const stacks = foldMap(m);
      if (stacks) out += foldedText(stacks);
      else if (!this.opts.noWarnings && !this.warned.has(m.name)) {
        this.warned.add(m.name);
        this.notes.printf(`WARNING: -f folded: ${m.name} is not keyed by kstack or ustack with numeric values, so it is not printed\n`);
      }
    }
    this.opts.write(out);
  }
  lostEvents(n: bigint): void {
    this.notes.lostEvents(n);
  }
  lostTotal(n: bigint): void {
    lostTotalOf(this.notes)(n);
  }
  helperError(helper: string, retcode: bigint, span: Span): void {
    this.text.helperError(helper, retcode, span);
  }
  flush(): void {
    this.text.flush();
    this.notes.flush();
  }
  close(): void {
    this.text.close();
    this.notes.close();
  }
}
