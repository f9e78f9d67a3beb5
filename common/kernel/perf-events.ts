// The perf events that software: and hardware: probes name: the kernel's generic event names
// (PERF_COUNT_SW_*, PERF_COUNT_HW_* as perf spells them), with bpftrace's aliases and default
// sample periods. The compiler expands probes from them; the runtime opens the events by them.

/** Event name, its aliases and bpftrace's default sample period. */
export type EventTable = Record<string, { aliases: string[]; defaultCount: number }>;

export const SOFTWARE: EventTable = {
  'cpu-clock': { aliases: ['cpu'], defaultCount: 1000000 },
  'task-clock': { aliases: [], defaultCount: 1000000 },
  'page-faults': { aliases: ['faults'], defaultCount: 100 },
  'context-switches': { aliases: ['cs'], defaultCount: 1000 },
  'cpu-migrations': { aliases: [], defaultCount: 1 },
  'minor-faults': { aliases: [], defaultCount: 100 },
  'major-faults': { aliases: [], defaultCount: 1 },
  'alignment-faults': { aliases: [], defaultCount: 1 },
  'emulation-faults': { aliases: [], defaultCount: 1 },
  dummy: { aliases: [], defaultCount: 1 },
  'bpf-output': { aliases: [], defaultCount: 1 },
};

export const HARDWARE: EventTable = {
  'cpu-cycles': { aliases: ['cycles'], defaultCount: 1000000 },
  instructions: { aliases: [], defaultCount: 1000000 },
  'cache-references': { aliases: [], defaultCount: 1000000 },
  'cache-misses': { aliases: [], defaultCount: 1000000 },
  'branch-instructions': { aliases: ['branches'], defaultCount: 100000 },
  'branch-misses': { aliases: [], defaultCount: 100000 },
  'bus-cycles': { aliases: [], defaultCount: 100000 },
  'frontend-stalls': { aliases: [], defaultCount: 1000000 },
  'backend-stalls': { aliases: [], defaultCount: 1000000 },
  'ref-cycles': { aliases: [], defaultCount: 1000000 },
};
