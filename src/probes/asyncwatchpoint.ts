// asyncwatchpoint:FUNC+argN:LEN:MODE: watchpoint:FUNC+argN without stopping the process while the
// breakpoint is set (accesses in the meantime are missed). Only the function form exists.

import { error } from '../../common/diagnostics';
import type { ProbeType } from './types';
import type { WatchpointAttach } from './watchpoint.attach';
import { expandFunctionWatchpoint, watchpointCapabilities } from './watchpoint-args';

export const asyncwatchpoint: ProbeType<WatchpointAttach> = {
  name: 'asyncwatchpoint',
  aliases: ['aw'],
  probetypeName: 'watchpoint',
  ...watchpointCapabilities,
  expand(ap, _probe, target = {}) {
    const usage = 'write asyncwatchpoint:FUNC+argN:LENGTH:MODE, e.g. asyncwatchpoint:increment+arg1:4:w';
    if (ap.parts.length !== 3) throw error(`invalid asyncwatchpoint probe: ${ap.raw}`, ap.span, usage);
    if (!ap.parts[0].includes('+')) throw error('asyncwatchpoint requires a function name', ap.span, `${usage}; a fixed address is watched with watchpoint:ADDRESS:LENGTH:MODE`);
    return expandFunctionWatchpoint(ap, 'asyncwatchpoint', target);
  },
};
