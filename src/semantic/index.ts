// The semantic passes, each one file with one entry; src/compile.ts runs them in order.

export { prepare, type AnalyzeOptions } from './prepare';
export { expandProbes } from './expand-probes';
export { checkProbes } from './check-statements';
export { dropUnresolved } from './unresolved';
export { lowerRawTracepoints } from './lower-raw-tracepoints';
export { checkMetricsConfig } from './metrics-config';
