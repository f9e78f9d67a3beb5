// watchpoint:ADDR:LEN:MODE: a hardware breakpoint (perf event of type PERF_TYPE_BREAKPOINT) on
// LEN bytes at ADDR in the traced process (-p or -c), firing on reads (r), writes (w) or
// execution (x) there. The program is a perf_event program, like profile's.

import { error } from '../diagnostics';
import type { ProbeType } from './types';

/** HW_BREAKPOINT_R/W/X: the bits of perf_event_attr.bp_type. */
const MODE_BITS: Record<string, number> = { r: 1, w: 2, x: 4 };

export const watchpoint: ProbeType = {
  name: 'watchpoint',
  aliases: ['w'],
  expand(ap) {
    const usage = 'write watchpoint:ADDRESS:LENGTH:MODE, e.g. watchpoint:0x10000000:8:rw (MODE from r, w, x)';
    if (ap.parts.length !== 3) throw error(`invalid watchpoint probe: ${ap.raw}`, ap.span, usage);
    const [addrText, lenText, mode] = ap.parts;
    if (!/^(0x[0-9a-fA-F]+|\d+)$/.test(addrText) || BigInt(addrText) === 0n) {
      throw error(`invalid watchpoint address '${addrText}'`, ap.span, 'an address in hex (0x…) or decimal; a function\'s address is [not yet] supported');
    }
    if (!/^[1248]$/.test(lenText)) throw error(`invalid watchpoint length '${lenText}'`, ap.span, 'the hardware watches 1, 2, 4 or 8 bytes');
    if (!/^[rwx]+$/.test(mode) || new Set(mode).size !== mode.length) {
      throw error(`invalid watchpoint mode '${mode}'`, ap.span, 'MODE is made of r (read), w (write) and x (execute), each once: w, rw, x');
    }
    if (mode.includes('x') && mode !== 'x') throw error(`invalid watchpoint mode '${mode}'`, ap.span, 'x (execute) cannot be combined with r or w');
    const bpType = [...mode].reduce((bits, c) => bits | MODE_BITS[c], 0);
    const addr = BigInt(addrText);
    return [{
      provider: 'watchpoint',
      // bpftrace prints the address in hex whichever way it was written.
      name: `watchpoint:0x${addr.toString(16)}:${lenText}:${mode}`,
      section: 'perf_event',
      attach: { addr: `0x${addr.toString(16)}`, len: Number(lenText), bpType },
      ap,
    }];
  },
};
