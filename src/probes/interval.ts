// interval:s:N, interval:ms:N, interval:us:N, interval:hz:N and the short form interval:1s:
// a cpu-clock perf event on one CPU whose sample period is the interval.

import { error } from '../../common/diagnostics';
import type { IntervalAttach } from './interval.attach';
import type { ProbeType } from './types';

const NS_PER: Record<string, number> = { s: 1e9, ms: 1e6, us: 1e3, ns: 1 };

export const interval: ProbeType<IntervalAttach> = {
  examples: [{ script: 'interval:ms:10 { printf("tick\\n"); exit(); }', output: 'tick\n\n\n', sameAs017: true }],
  name: 'interval',
  aliases: ['i'],
  addressSpace: 'kernel',
  context: () => 'perf',
  expand(ap) {
    let unit: string | undefined;
    let count: string | undefined;
    if (ap.parts.length === 2) [unit, count] = ap.parts;
    else if (ap.parts.length === 1) {
      const m = /^(\d+)([a-z]+)$/.exec(ap.parts[0]);
      if (m) [, count, unit] = m;
    }
    if (!unit || !count || !/^\d+$/.test(count) || Number(count) <= 0) {
      throw error(`invalid interval probe: ${ap.raw}`, ap.span, 'write interval:s:1, interval:ms:100 or interval:1s');
    }
    let periodNs: number;
    if (unit === 'hz') periodNs = Math.round(1e9 / Number(count));
    else if (unit in NS_PER) periodNs = Number(count) * NS_PER[unit];
    else throw error(`invalid interval unit '${unit}'`, ap.span, 'use s, ms, us or hz');
    return [
      {
        name: `interval:${unit}:${count}`,
        section: 'perf_event',
        attach: { periodNs },
        ap,
      },
    ];
  },
};
