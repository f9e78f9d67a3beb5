// The hardware breakpoints attached so far, by the address they watch, so that unwatch(addr) can
// remove them while tracing, as bpftrace 0.17 does (every breakpoint on that address goes, the
// static watchpoint:ADDR probes' too). The session still destroys each at detach; a link
// destroyed twice is destroyed once.

import type { BpfLink } from './libbpf';

const byAddress = new Map<bigint, BpfLink[]>();

export function watching(addr: bigint, link: BpfLink): void {
  const links = byAddress.get(addr);
  if (links) links.push(link);
  else byAddress.set(addr, [link]);
}

/** Removes every breakpoint on `addr`; nothing happens when none is set there. */
export function unwatch(addr: bigint): void {
  for (const l of byAddress.get(addr) ?? []) l.destroy();
  byAddress.delete(addr);
}
