// The attach record of rawtracepoint:EVENT (and of a tracepoint lowered to one), shared by
// src/probes/rawtracepoint.ts and runtime/attach/rawtracepoint.ts.

export interface RawTracepointAttach {
  /** The event's name without its category: raw tracepoints are named by the event alone. */
  name: string;
}
