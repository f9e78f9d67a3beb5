// What a tracing session is asked to do: the run options the CLI and an artifact run give it.

import type { BufferMode, OutputFormat } from './output';
import type { Sources } from '../common/diagnostics';
import type { RunMode } from './test-mode';
import type { ListenAddress } from './metrics/address';

export interface RunOptions {
  command?: string;
  /** -p PID: uprobes and usdt probes attach to this process only. */
  pid?: number;
  dryRun?: boolean;
  /** -f: text (default) or json. */
  format?: OutputFormat;
  /** -o FILE: output to FILE instead of stdout. */
  outputFile?: string;
  /** -v: attachers say which mechanism they use. */
  verbose?: boolean;
  noFentry?: boolean; // --no-fentry: kprobes attach as kprobes (runtime/attach/twin.ts)
  /** -q: no "Attaching N probes..." line. */
  quiet?: boolean;
  /** --no-warnings: no WARNING lines on stderr. */
  noWarnings?: boolean;
  /** -B: stdout buffering. */
  buffering?: BufferMode;
  /** --unsafe was given for this run. */
  unsafe?: boolean;
  /** The script's text by file name, for run-time warnings that show its lines (-k). */
  sources?: Sources;
  /** --test / --bench: run the test:/bench: probes instead of attaching anything. */
  mode?: RunMode;
  /** --flamegraph FILE: the stack-keyed maps drawn as an SVG flame graph at exit. */
  flamegraph?: string;
  /** --metrics: serve the maps to Prometheus there until SIGINT/SIGTERM; no map dump at exit. */
  metrics?: ListenAddress;
  /** More read-only config slots by name (an artifact's positional parameters: argc, arg1 …). */
  config?: Record<string, bigint | Buffer>;
}
