// strftime(fmt, nsecs)'s text: nanoseconds since boot as local wall-clock time. bpftrace 0.17 adds
// the wall-clock time of boot (measured once) and formats with strftime(3), after replacing "%f"
// with the microseconds.

import { localTm, strftime } from './strftime';

let bootNs: bigint | undefined;

/**
 * Wall-clock nanoseconds at boot. Node has no CLOCK_BOOTTIME; its hrtime is CLOCK_MONOTONIC,
 * which is what bpf_ktime_get_ns() (nsecs) counts and equals boot time on a machine that never
 * suspended. Of a few samples, the one bracketed most tightly by the realtime reads wins.
 */
function wallClockAtBoot(): bigint {
  if (bootNs !== undefined) return bootNs;
  let best = Infinity;
  for (let i = 0; i < 5; i++) {
    const before = performance.timeOrigin + performance.now();
    const mono = process.hrtime.bigint();
    const after = performance.timeOrigin + performance.now();
    if (after - before < best) {
      best = after - before;
      bootNs = BigInt(Math.round(((before + after) / 2) * 1e6)) - mono;
    }
  }
  return bootNs!;
}

export function formatTimestamp(pattern: string, nsecsSinceBoot: bigint): string {
  const ns = wallClockAtBoot() + nsecsSinceBoot;
  const us = (ns % 1_000_000_000n) / 1000n;
  const fmt = pattern.replace(/%f/g, us.toString().padStart(6, '0'));
  return strftime(fmt, localTm(new Date(Number(ns / 1_000_000_000n) * 1000)));
}
