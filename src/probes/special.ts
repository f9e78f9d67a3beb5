// BEGIN and END: programs run once by the runtime through BPF_PROG_TEST_RUN, so their output is
// ordered before and after everything else. raw_tp is the program type test runs accept with no input.

import { error } from '../diagnostics';
import type { ProbeType } from './types';

function runOnce(which: 'BEGIN' | 'END'): ProbeType {
  return {
    name: which,
    aliases: [],
    runOnce: which === 'BEGIN' ? 'begin' : 'end',
    expand(ap) {
      if (ap.parts.length) throw error(`${which} takes no arguments`, ap.span);
      return [{ provider: which, name: which, section: 'raw_tp', attach: {}, ap }];
    },
  };
}

export const begin = runOnce('BEGIN');
export const end = runOnce('END');
