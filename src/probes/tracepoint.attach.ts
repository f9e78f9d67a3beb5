// The attach record of tracepoint:CATEGORY:EVENT, shared by src/probes/tracepoint.ts and
// runtime/attach/tracepoint.ts.

export interface TracepointAttach {
  category: string;
  name: string;
}
