// The semantic passes, each one file with one entry; src/compile.ts runs them in order.

export { resolveImports } from './imports';
export { expandMacros } from './macros';
export { prepare, type AnalyzeOptions } from './prepare';
export { expandProbes, filterProbes } from './expand-probes';
export { checkProbes } from './check-statements';
export { dropUnresolved } from './unresolved';
export { lowerRawTracepoints } from './lower-raw-tracepoints';
export { addTwins } from './twins';
export { applyMapDecls } from './map-decls';
export { checkMetricsConfig } from './metrics-config';
