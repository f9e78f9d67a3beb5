// watchpoint:ADDR:LEN:MODE: a hardware breakpoint (perf event of type PERF_TYPE_BREAKPOINT) on
// LEN bytes at ADDR in the traced process (-p or -c), firing on reads (r), writes (w) or
// execution (x) there. The program is a perf_event program, like profile's.
// watchpoint:FUNC+argN:LEN:MODE watches the address FUNC receives: see watchpoint-args.ts.

import { error } from '../../common/diagnostics';
import type { ProbeType } from './types';
import type { WatchpointAttach } from './watchpoint.attach';
import { expandFunctionWatchpoint, lengthAndMode, watchpointCapabilities } from './watchpoint-args';

export const watchpoint: ProbeType<WatchpointAttach> = {
  name: 'watchpoint',
  aliases: ['w'],
  ...watchpointCapabilities,
  expand(ap, _probe, target = {}) {
    const usage = 'write watchpoint:ADDRESS:LENGTH:MODE or watchpoint:FUNC+argN:LENGTH:MODE, e.g. watchpoint:0x10000000:8:rw (MODE from r, w, x)';
    if (ap.parts.length !== 3) throw error(`invalid watchpoint probe: ${ap.raw}`, ap.span, usage);
    const [addrText, lenText, mode] = ap.parts;
    if (addrText.includes('+')) return expandFunctionWatchpoint(ap, 'watchpoint', target);
    if (!/^(0x[0-9a-fA-F]+|\d+)$/.test(addrText) || BigInt(addrText) === 0n) {
      throw error(`invalid watchpoint address '${addrText}'`, ap.span, "an address in hex (0x…) or decimal, or a function's argument: watchpoint:FUNC+argN:LENGTH:MODE");
    }
    const bpType = lengthAndMode(ap, lenText, mode);
    const addr = BigInt(addrText);
    return [{
      // bpftrace prints the address in hex whichever way it was written.
      name: `watchpoint:0x${addr.toString(16)}:${lenText}:${mode}`,
      section: 'perf_event',
      attach: { role: 'address', addr: `0x${addr.toString(16)}`, len: Number(lenText), bpType },
      ap,
    }];
  },
};
