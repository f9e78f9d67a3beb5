// The attach records of watchpoint and asyncwatchpoint, shared by src/probes/watchpoint*.ts and
// runtime/attach/watchpoint*.ts. `role` tells the three programs apart.

export type WatchpointAttach =
  /** watchpoint:ADDR:LEN:MODE: a breakpoint at a fixed address. */
  | { role: 'address'; /** In hex, 0x…. */ addr: string; len: number; bpType: number }
  /** The body of watchpoint:FUNC+argN: attached later, once per address the setup program reports. */
  | { role: 'watch'; slot: number; len: number; bpType: number }
  /** The uprobe on FUNC that reports argN's address (and stops the process unless `async`). */
  | { role: 'setup'; slot: number; binary: string; offset: number; symbol: string; arg: number; async: boolean };
