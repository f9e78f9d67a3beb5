import { hasUprobes } from './kernel-features';
import type { Attacher } from './types';

function userProbe(provider: 'uprobe' | 'uretprobe'): Attacher {
  return {
    provider,
    unavailable: () =>
      hasUprobes() ? undefined : { missing: 'this kernel has no uprobe support (CONFIG_UPROBE_EVENTS is off)', instead: 'trace a tracepoint instead' },
    attach(prog, probe, session) {
      const a = probe.attach;
      return [
        prog.attachUprobe({
          pid: session.pid ?? -1,
          binary: String(a.binary),
          funcName: a.funcName === undefined ? undefined : String(a.funcName),
          offset: a.offset === undefined ? undefined : Number(a.offset),
          retprobe: provider === 'uretprobe',
        }),
      ];
    },
    explain: (errno) => (errno === 2 ? 'the symbol was not found in the binary: check the name with nm -D' : undefined),
  };
}

export const uprobe = userProbe('uprobe');
export const uretprobe = userProbe('uretprobe');
