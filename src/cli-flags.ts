// bpftrace's output/compatibility flags (-q, --no-warnings, -B, --info, -k, -I, --include): checked
// here so cli.ts only forwards them. -k/-kk, -I and --include are accepted so bpftrace command
// lines run unchanged; spec.md ("Command line") says what they do here.

import { BpfscriptError } from '../common/diagnostics';

/** -f's choices; folded and pprof are bpfscript's own (maps keyed by stacks for profilers). */
const FORMATS = ['text', 'json', 'folded', 'pprof'];

interface FlagArgs {
  f?: string;
  q?: boolean;
  warnings?: boolean;
  B?: string;
  info?: boolean;
  k?: number;
  metrics?: string;
  _: (string | number)[];
}

export interface CheckedFlags {
  /** --info was printed: nothing else to do. */
  done: boolean;
  run: { quiet: boolean; noWarnings: boolean; buffering?: 'line' | 'full' | 'none'; metrics?: import('../runtime/metrics/address').ListenAddress };
}

export function checkCliFlags(args: FlagArgs, version: string): CheckedFlags {
  if (args.f !== undefined && !FORMATS.includes(args.f)) {
    // bpftrace's wording, first line alone: scripts around it match on it.
    throw new BpfscriptError({ severity: 'ERROR', message: `Invalid output format "${args.f}"`, hint: `valid formats: ${FORMATS.map((f) => `'${f}'`).join(', ')}` });
  }
  const B = args.B;
  if (B !== undefined && B !== 'line' && B !== 'full' && B !== 'none') {
    throw new BpfscriptError({ severity: 'ERROR', message: `-B ${B}: -B must be either 'line', 'full', or 'none'`, hint: 'line (the default) writes each batch of events at once, full holds output back in 8 KiB blocks, none writes every line at once' });
  }
  if ((args.k ?? 0) > 2) {
    throw new BpfscriptError({ severity: 'ERROR', message: '-k may be given at most twice (-k or -kk)', hint: 'run bpfscript -h for usage' });
  }
  if (args.info) {
    if (!(require('./privileges') as typeof import('./privileges')).mayLoad()) {
      throw new BpfscriptError({ severity: 'ERROR', message: '--info must run as root: it loads probe programs to see what the kernel accepts', hint: 'run it with sudo' });
    }
    const { kernelInfo } = require('../runtime/info') as typeof import('../runtime/info');
    // On stderr, as bpftrace prints it.
    (require('../common/stdio') as typeof import('../common/stdio')).err(kernelInfo(version));
    return { done: true, run: { quiet: false, noWarnings: false } };
  }
  return { done: false, run: { quiet: !!args.q, noWarnings: args.warnings === false, buffering: B, ...metricsAddress(args) } };
}

/**
 * --metrics takes an optional ADDR, so `--metrics script.bt` would read the script's name as one:
 * a value that is no address is given back to the positionals, and the default address used.
 */
function metricsAddress(args: FlagArgs): { metrics?: import('../runtime/metrics/address').ListenAddress } {
  if (args.metrics === undefined) return {};
  const { DEFAULT_METRICS_ADDRESS, looksLikeAddress, parseListenAddress } = require('../runtime/metrics/address') as typeof import('../runtime/metrics/address');
  let text = args.metrics;
  if (text !== '' && !looksLikeAddress(text)) {
    args._.unshift(text);
    text = '';
  }
  return { metrics: parseListenAddress(text || DEFAULT_METRICS_ADDRESS) };
}

/**
 * Which failing helpers are reported at run time (LanguageOptions.helperErrors: 0 none, 1 map
 * updates and deletes, 2 map lookups and probe reads too). bpftrace 0.17: none unless -k (1) or
 * -kk (2). bpftrace 0.23+: 1 by default, -k is 2, --no-warnings is 0, and -kk is refused.
 */
export function helperErrorLevel(k: number | undefined, warnings: boolean | undefined, dialect: '0.17' | '0.26' | undefined): number {
  if (dialect !== '0.26') return k ?? 0;
  if ((k ?? 0) >= 2) {
    throw new BpfscriptError({ severity: 'ERROR', message: 'USAGE: -kk has been deprecated. Use a single -k for runtime warnings for errors in map lookups and probe reads.' });
  }
  if (k && warnings === false) throw new BpfscriptError({ severity: 'ERROR', message: 'USAGE: -k, --warnings conflicts with --no-warnings' });
  if (warnings === false) return 0;
  return k ? 2 : 1;
}
