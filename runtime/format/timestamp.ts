// The wall-clock time of boot, measured once per run: strftime() values are nanoseconds since boot,
// and their format (src/functions/strftime.ts) adds this to print local wall-clock time.

let bootNs: bigint | undefined;

/**
 * Wall-clock nanoseconds at boot. Node has no CLOCK_BOOTTIME; its hrtime is CLOCK_MONOTONIC,
 * which is what bpf_ktime_get_ns() (nsecs) counts and equals boot time on a machine that never
 * suspended. Of a few samples, the one bracketed most tightly by the realtime reads wins.
 */
export function wallClockAtBoot(): bigint {
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
