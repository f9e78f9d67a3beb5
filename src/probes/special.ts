// Probes the runtime runs itself through BPF_PROG_TEST_RUN instead of attaching: BEGIN and END
// (ordered before and after everything else), self:signal:SIGUSR1 (run when bpfscript receives the
// signal), and test:NAME / bench:NAME (run by --test and --bench, skipped otherwise). raw_tp is the
// program type a test run accepts with no input; test and bench programs are XDP ones, as in
// bpftrace 0.25+, because only a packet program's test run repeats and times itself.

import { error } from '../../common/diagnostics';
import type { SpecialAttach } from './special.attach';
import type { ProbeType, RunAt } from './types';

function runBy(name: string, aliases: string[], at: RunAt, expand: ProbeType<SpecialAttach>['expand']): ProbeType<SpecialAttach> {
  return { name, aliases, runOnce: at, addressSpace: 'kernel', context: () => 'raw_tp', expand };
}

function beginEnd(which: 'BEGIN' | 'END'): ProbeType<SpecialAttach> {
  const lower = which.toLowerCase();
  const type = runBy(which, [lower], lower as RunAt, (ap, _probe, target) => {
    // bpftrace 0.25+ reads `begin:*` as `begin`.
    if (ap.parts.length && !(ap.parts.length === 1 && ap.parts[0] === '*')) throw error(`${which} takes no arguments`, ap.span);
    // bpftrace 0.26 spells every provider in lower case, and so does its `probe` builtin.
    return [{ name: target?.dialect === '0.26' ? lower : which, section: 'raw_tp', attach: {}, ap }];
  });
  return { ...type, probetypeName: 'special' };
}

export const begin = beginEnd('BEGIN');
begin.examples = [{ script: 'BEGIN { printf("hello\\n"); exit(); }', output: 'hello\n\n\n', sameAs017: true }];
export const end = beginEnd('END');
end.examples = [{ script: 'BEGIN { exit(); } END { printf("end\\n"); }', output: 'end\n\n\n', sameAs017: true }];

/** The signals a self:signal probe may wait for (bpftrace 0.24+ knows only SIGUSR1). */
const SIGNALS = ['SIGUSR1'];

export const self = runBy('self', [], 'signal', (ap) => {
  const [trigger, what] = ap.parts;
  if (ap.parts.length !== 2) throw error(`self probe must be self:signal:SIGNAL, got ${ap.raw}`, ap.span, 'e.g. self:signal:SIGUSR1 { print(@); }');
  if (trigger !== 'signal') throw error(`${trigger} is not a supported trigger`, ap.span, 'the trigger self probes have is signal: self:signal:SIGUSR1');
  if (!SIGNALS.includes(what)) throw error(`${what} is not a supported signal`, ap.span, `supported: ${SIGNALS.join(', ')}`);
  return [{ name: `self:signal:${what}`, section: 'raw_tp', attach: {}, ap }];
});

function named(kind: 'test' | 'bench', flag: string): ProbeType<SpecialAttach> {
  return runBy(kind, [], kind, (ap) => {
    const [n] = ap.parts;
    if (ap.parts.length !== 1 || !n) throw error(`${kind} probes must have a name: ${kind}:NAME`, ap.span, `they run with ${flag}, each once in the script's order`);
    return [{ name: `${kind}:${n}`, section: 'xdp', attach: { label: n }, ap }];
  });
}

export const test = named('test', '--test');
test.examples = [{ script: 'test:one { $x = 1; }', args: ['--test'], output: /^[\s\S]*\[ {7}OK \]\S* one \([\s\S]*PASSED[\s\S]*\n$/ }];
export const bench = named('bench', '--bench');
bench.examples = [{ script: 'bench:one { $x = 1; }', args: ['--bench'], output: /^Benchmark +Time\(ns\) +Iterations\n-+\none +\d+ +\d+\n$/ }];
