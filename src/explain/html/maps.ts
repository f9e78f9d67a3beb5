// Every map of the object with its BPF map type and size as libbpf reads them from the ELF (opened,
// never loaded: no root needed), joined to the script's map names and types from ProgramMeta. The
// runtime's own maps (events ring buffer, counters, global data) are listed too: they are in the
// object the kernel loads.

import type { CompiledProgram } from '../../compiled';
import { mapTypeName } from '../map-types';
import { typeName } from '../../type-name';

export interface MapRow {
  /** The script's name (@x), or the BPF name of a map bpfscript adds. */
  name: string;
  bpfName: string;
  key: string;
  value: string;
  bpfType: string;
  entries: number;
  keySize: number;
  valueSize: number;
  /** A map the script did not write: what bpfscript uses it for. */
  own?: string;
}

export async function mapRows(gen: CompiledProgram): Promise<MapRow[]> {
  const { BpfObject } = await import('../../../runtime/libbpf');
  const obj = BpfObject.openMem(gen.elf, 'bpfscript');
  try {
    const script: MapRow[] = [];
    const own: MapRow[] = [];
    for (const m of obj.maps()) {
      const geometry = { bpfName: m.name, bpfType: mapTypeName(m.type), entries: m.maxEntries, keySize: m.keySize, valueSize: m.valueSize };
      const meta = gen.meta.maps.find((x) => x.bpfName === m.name);
      if (meta) {
        script.push({ name: meta.name, key: meta.keyType ? typeName(meta.keyType) : 'none', value: typeName(meta.valueType), ...geometry });
      } else {
        own.push({ name: m.name, key: '', value: '', own: ownPurpose(gen, m.name), ...geometry });
      }
    }
    return [...script.sort((a, b) => (a.name < b.name ? -1 : 1)), ...own];
  } finally {
    obj.close();
  }
}

function ownPurpose(gen: CompiledProgram, name: string): string {
  if (name === gen.meta.eventsMap) return 'events to user space (printf, print, exit, …)';
  if (name === gen.meta.statsMap) return 'lost events and full maps, counted per CPU';
  if (name === 'zeroes') return 'a zeroed value that new entries of per-CPU maps are copied from';
  if (name.endsWith('.rodata')) return 'read-only globals: settings filled in at load';
  if (name.endsWith('.bss') || name.endsWith('.data')) return 'global variables';
  return 'bpfscript\'s own';
}
