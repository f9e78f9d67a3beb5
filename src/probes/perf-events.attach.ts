// The attach records of profile, software and hardware, shared by src/probes/perf-events.ts and
// runtime/attach/perf-events.ts.

/** profile:hz:N samples at a frequency, profile:s|ms|us:N every period. */
export type ProfileAttach = { freq: number } | { periodNs: number };

/** software:EVENT:N and hardware:EVENT:N: every `period` occurrences of the named event. */
export interface CountedEventAttach {
  event: string;
  period: number;
  /** bpftrace 0.26 with -p: the events of that process only, on whichever CPU it runs. */
  pid?: number;
}
