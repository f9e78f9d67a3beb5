// The attach record of usdt, shared by src/probes/usdt.ts and runtime/attach/usdt.ts.

export interface UsdtAttach {
  binary: string;
  /** File offset of the probe site. */
  offset: number;
  /** File offset of the probe's semaphore, 0 without one. */
  semaphoreOffset: number;
  /** Virtual address of the semaphore in the binary, 0 without one. */
  semaphoreAddr: number;
  /** The site's argument specs, one per argument ("-4@%edi", "8@-16(%rbp)"). */
  args: string[];
}
