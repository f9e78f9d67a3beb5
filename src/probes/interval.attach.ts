// The attach record of interval, shared by src/probes/interval.ts and runtime/attach/interval.ts.

export interface IntervalAttach {
  periodNs: number;
}
