// Where a binary's DWARF is: in the binary itself, or (as distributions ship it, stripped binaries
// with -dbg/-dbgsym packages) in a separate file found the way GDB and libdw look: by the GNU
// build id under /usr/lib/debug/.build-id/, or by the .gnu_debuglink name next to the binary, in
// its .debug/ folder, or under /usr/lib/debug/ plus the binary's folder.

import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { ElfFile } from '../elf';

const DEBUG_ROOT = '/usr/lib/debug';
const NT_GNU_BUILD_ID = 3;

/** The build id from .note.gnu.build-id, in hex, or null. */
export function buildId(elf: ElfFile): string | null {
  const s = elf.section('.note.gnu.build-id');
  if (!s || s.size < 16) return null;
  const d = elf.data;
  const namesz = d.readUInt32LE(s.offset);
  const descsz = d.readUInt32LE(s.offset + 4);
  const type = d.readUInt32LE(s.offset + 8);
  const desc = s.offset + 12 + Math.ceil(namesz / 4) * 4;
  if (type !== NT_GNU_BUILD_ID || desc + descsz > s.offset + s.size) return null;
  return d.toString('hex', desc, desc + descsz);
}

/** The file name .gnu_debuglink names, or null. */
function debugLink(elf: ElfFile): string | null {
  const s = elf.section('.gnu_debuglink');
  return s && s.size > 4 ? elf.cstring(s.offset) || null : null;
}

/** The ELF file holding `elf`'s DWARF: itself, a separate debug file, or null when there is none. */
export function debugFile(elf: ElfFile): ElfFile | null {
  if (elf.section('.debug_info')) return elf;
  const candidates: string[] = [];
  const id = buildId(elf);
  if (id && id.length > 2) candidates.push(join(DEBUG_ROOT, '.build-id', id.slice(0, 2), `${id.slice(2)}.debug`));
  const link = debugLink(elf);
  if (link && !link.includes('/')) {
    const dir = dirname(elf.path);
    candidates.push(join(dir, link), join(dir, '.debug', link), join(DEBUG_ROOT, dir, link));
  }
  for (const c of candidates) {
    if (c === elf.path || !existsSync(c)) continue;
    try {
      const f = ElfFile.open(c);
      if (f.section('.debug_info')) return f;
    } catch {
      // not a readable ELF file: try the next place
    }
  }
  return null;
}
