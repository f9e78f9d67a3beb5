// When the session drains its ring buffer. Under load, a drain every DRAIN_INTERVAL_MS batches
// records, because the BPF side does not wake the reader for each one (see submitEvent in
// src/codegen/emit-context.ts). While idle, nothing runs at all: the pump waits on the ring's
// epoll fd from Node's worker pool, and the first record after the reader caught up wakes it.
// A program with no event path has no ring to wait on and just waits to be stopped.

import type { RingBuffer } from './libbpf';

const DRAIN_INTERVAL_MS = 1;
/** Keeps Node's event loop alive when nothing else does (no ring to wait on); never meant to fire. */
const KEEPALIVE_MS = 2 ** 31 - 1;

export interface PumpHost {
  /** Handles what the ring holds now, boundedly; returns the number of records handled. */
  drain(): number;
  /** Work a record started (a system() command) that must end before the next record is handled. */
  blocked(): Promise<void> | null;
  stopping(): boolean;
}

export class EventPump {
  private timer: NodeJS.Timeout | null = null;
  private finish: ((e?: unknown) => void) | null = null;
  private done = false;
  /** Waiting for held work (a system() command): a stop then takes effect once it has ended. */
  private busy = false;

  /** ring: null when the program has no event path. */
  constructor(
    private readonly host: PumpHost,
    private readonly ring: RingBuffer | null,
  ) {}

  /** Settles once stop() was called (or the host says it is stopping), or a drain threw. */
  run(): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.finish = (e) => {
        if (this.done) return;
        this.done = true;
        if (this.timer) clearTimeout(this.timer);
        this.timer = null;
        this.ring?.interruptWait();
        if (e === undefined) resolve();
        else reject(e);
      };
      if (this.ring) this.tick();
      else this.timer = setTimeout(() => {}, KEEPALIVE_MS);
      if (this.host.stopping()) this.finish();
    });
  }

  /** Ends run() now: a wait in progress is interrupted; a system() command running is waited for. */
  stop(): void {
    if (this.busy) return; // the command's completion comes back here, and finishes then
    this.finish?.();
  }

  private tick = (): void => {
    this.timer = null;
    if (this.done) return;
    let n: number;
    try {
      n = this.host.drain();
    } catch (e) {
      return this.finish!(e);
    }
    const wait = this.host.blocked();
    if (wait) {
      this.busy = true;
      wait.then(
        () => {
          this.busy = false;
          if (this.host.stopping()) this.finish!();
          else this.tick();
        },
        (e) => {
          this.busy = false;
          this.finish!(e);
        },
      );
      return;
    }
    if (this.host.stopping()) return this.finish!();
    // A drain that found records expects more: poll on the timer until one finds the ring empty.
    if (n > 0) this.timer = setTimeout(this.tick, DRAIN_INTERVAL_MS);
    else this.ring!.waitReadable(this.tick);
  };
}
