// BEGIN and END: programs run once by the runtime through BPF_PROG_TEST_RUN, so their output is
// ordered before and after everything else. raw_tp is the program type test runs accept with no input.

import { error } from '../diagnostics';
import type { SpecialAttach } from './special.attach';
import type { ProbeType } from './types';

function runOnce(which: 'BEGIN' | 'END'): ProbeType<SpecialAttach> {
  return {
    name: which,
    aliases: [],
    probetypeName: 'special',
    runOnce: which === 'BEGIN' ? 'begin' : 'end',
    addressSpace: 'kernel',
    context: () => 'raw_tp',
    expand(ap) {
      if (ap.parts.length) throw error(`${which} takes no arguments`, ap.span);
      return [{ name: which, section: 'raw_tp', attach: {}, ap }];
    },
  };
}

export const begin = runOnce('BEGIN');
export const end = runOnce('END');
