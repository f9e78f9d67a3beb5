// bpftrace 0.2x's long spellings of its options (--list, --pid, --cmd, --output, --quiet,
// --verbose, --debug, --warnings) and the options it has that change nothing here (-b/--btf,
// --verify-llvm-ir, --no-feature, --debuginfo, --dwarf-pid), rewritten into the short forms the
// parser knows, so 0.26 command lines run unchanged under either dialect. Long options whose
// meaning is bpfscript's own are left for the parser: --traceable-functions is taken here and
// returned, for the compile.

import { BpfscriptError } from '../common/diagnostics';

/** Long option → the short option it spells (bpftrace 0.26's getopt table). */
const SHORT: Record<string, string> = {
  '--list': '-l',
  '--pid': '-p',
  '--cmd': '-c',
  '--output': '-o',
  '--quiet': '-q',
  '--verbose': '-v',
  '--debug': '-d',
  '--warnings': '-k',
};

/** Accepted and dropped: BTF is always used, the IR is always verified, unwinding needs no pid list. */
const IGNORED_FLAGS = new Set(['-b', '--btf', '--verify-llvm-ir']);
const IGNORED_VALUED = new Set(['--debuginfo', '--dwarf-pid']);

const NO_FEATURES = ['kprobe_multi', 'kprobe_session', 'uprobe_multi'];

/** Options whose next word is their value, which is never read as an option. */
const VALUED = new Set(['-e', '-c', '-o', '-p', '-d', '-f', '-B', '-I', '--include', '--emit-elf', '--emit-llvm', '--compat', '--mode', '--probe-filter', '--flamegraph', ...Object.keys(SHORT), ...IGNORED_VALUED, '--no-feature', '--traceable-functions']);

export interface LongOptions {
  argv: string[];
  /** --traceable-functions FILE: the kernel functions kprobes may attach to, instead of tracefs's list. */
  traceableFunctions?: string;
}

export function rewriteLongOptions(argv: string[]): LongOptions {
  const out: string[] = [];
  let traceableFunctions: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const word = argv[i];
    if (word === '--') {
      out.push(...argv.slice(i));
      break;
    }
    const eq = word.startsWith('--') ? word.indexOf('=') : -1;
    const name = eq > 0 ? word.slice(0, eq) : word;
    const inline = eq > 0 ? word.slice(eq + 1) : undefined;
    const value = (): string => {
      if (inline !== undefined) return inline;
      if (i + 1 >= argv.length) throw new BpfscriptError({ severity: 'ERROR', message: `USAGE: option '${name}' requires an argument`, hint: 'run bpfscript -h for every option' });
      return argv[++i];
    };
    if (IGNORED_FLAGS.has(name)) continue;
    if (IGNORED_VALUED.has(name)) {
      value();
    } else if (name === '--no-feature') {
      const v = value();
      if (v.split(',').some((f) => !NO_FEATURES.includes(f))) {
        throw new BpfscriptError({ severity: 'ERROR', message: `USAGE: --no-feature can only have values '${NO_FEATURES.join(',')}'.` });
      }
    } else if (name === '--traceable-functions') {
      traceableFunctions = value();
    } else if (SHORT[name] === '-k' || SHORT[name] === '-l' || SHORT[name] === '-q' || SHORT[name] === '-v') {
      out.push(SHORT[name]);
    } else if (SHORT[name]) {
      out.push(SHORT[name], value());
    } else {
      out.push(word);
      // The value of an option is not an option, even when it starts with '--'.
      if (VALUED.has(word) && i + 1 < argv.length) out.push(argv[++i]);
    }
  }
  return { argv: out, ...(traceableFunctions !== undefined ? { traceableFunctions } : {}) };
}
