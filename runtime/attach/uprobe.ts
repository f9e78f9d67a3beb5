// uprobe/uretprobe: attached at the file offset the compiler read from the binary's symbol table,
// so libbpf does no symbol lookup of its own; -p narrows them to one process.

import { functionSymbols } from '../../common/kernel/elf-symbols';
import { hasUprobes } from '../../common/kernel/features';
import type { UprobeAttach } from '../../src/probes/uprobe.attach';
import { dwarfOf } from '../../common/kernel/dwarf';
import { namedObjects, processExecutableObject } from '../list-user';
import type { Attacher } from './types';

export const noUprobes = { missing: 'this kernel has no uprobe support (CONFIG_UPROBE_EVENTS is off)', instead: 'trace a tracepoint instead (bpfscript -l "tracepoint:*")' };

function userProbe(provider: 'uprobe' | 'uretprobe'): Attacher<UprobeAttach> {
  return {
    provider,
    listedForProcess: provider === 'uprobe',
    // A probed address keeps its consumers newest first.
    lastAttachedRunsFirst: true,
    unavailable: () => (hasUprobes() ? undefined : noUprobes),
    attach(prog, probe, session) {
      const a = probe.attach;
      return [
        prog.attachUprobe({
          pid: session.pid ?? -1,
          binary: a.binary,
          offset: a.offset,
          retprobe: provider === 'uretprobe',
        }),
      ];
    },
    list(q) {
      // With -p and no binary, the process's executable; the pattern then matches the symbol alone.
      // bpftrace 0.2x: `*` for the binary with -p searches the process too.
      const anyBinary = q.pid !== undefined && q.parts.length === 2 && q.parts[0] === '*';
      const ofProcess = (q.pid !== undefined && q.parts.length <= 1) || anyBinary;
      const objects = ofProcess ? processExecutableObject(q, q.pid!, provider) : namedObjects(q, provider);
      return objects.flatMap((b) => {
        // -lv: each parameter with its C type from DWARF, as bpftrace 0.17 lists them (uprobes
        // only: a uretprobe has no args).
        const dw = q.verbose && provider === 'uprobe' ? dwarfOf(b.elf) : null;
        if (q.verbose && provider === 'uprobe' && !dw) q.warn(`No DWARF found for "${b.path}", cannot show parameter info`);
        const params = (n: string) => dw?.findFunction(n)?.params.map((p) => `    ${dw.typeName(p.type)} ${p.name}`);
        return [...new Set(functionSymbols(b.elf).map((s) => s.name))].map((n) => ({ name: `${provider}:${b.path}:${n}`, key: anyBinary ? `${b.path}:${n}` : ofProcess ? n : `${q.parts[0]}:${n}`, details: params(n) }));
      });
    },
    explain: (errno) =>
      errno === 2 ? 'the binary is gone or changed since compiling' : errno === 3 ? 'the process given with -p has exited' : undefined,
  };
}

export const uprobe = userProbe('uprobe');
export const uretprobe = userProbe('uretprobe');
