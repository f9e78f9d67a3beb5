// The attach record of uprobe and uretprobe, shared by src/probes/uprobe.ts and
// runtime/attach/uprobe.ts: a plain file offset, so the runtime does no symbol lookup.

export interface UprobeAttach {
  binary: string;
  /** File offset of the probed instruction in `binary`; -1 when the symbol is missing (the probe is dropped). */
  offset: number;
  retprobe: boolean;
  /** The function's name, when the attach point named one (not for uprobe:BINARY:0xADDR). */
  symbol?: string;
}
