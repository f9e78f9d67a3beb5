// Library names resolved as the dynamic loader would: through /etc/ld.so.cache (glibc's
// "glibc-ld.so.cache1.1" format), then the standard directories. `libc` and `c` both name libc.so.6.

import { host, perHost } from './host';

const MAGIC = 'glibc-ld.so.cache1.1';
const HEADER_SIZE = 48;
const ENTRY_SIZE = 24;
/** FLAG_ELF_LIBC6 | FLAG_X8664_LIB64: entries for this machine's 64-bit libraries. */
const X86_64_LIBC6 = 0x0303;

const STANDARD_DIRS = ['/lib/x86_64-linux-gnu', '/usr/lib/x86_64-linux-gnu', '/lib64', '/usr/lib64', '/lib', '/usr/lib', '/usr/local/lib'];

/** soname → path, from ld.so.cache; the first entry of a name wins, as with the loader. */
export function ldCache(path = '/etc/ld.so.cache'): Map<string, string> {
  return path === '/etc/ld.so.cache' ? perHost('ldcache', () => parseLdCache(path)) : parseLdCache(path);
}

function parseLdCache(path: string): Map<string, string> {
  const out = new Map<string, string>();
  let d: Buffer;
  try {
    d = host().readFile(path);
  } catch {
    return out;
  }
  // An old-format cache ("ld.so-1.7.0") may prefix the new one.
  const start = d.indexOf(MAGIC);
  if (start < 0) return out;
  const n = d.readUInt32LE(start + 20);
  const str = (off: number) => {
    const end = d.indexOf(0, start + off);
    return d.toString('utf8', start + off, end);
  };
  for (let i = 0; i < n; i++) {
    const e = start + HEADER_SIZE + i * ENTRY_SIZE;
    if (e + ENTRY_SIZE > d.length) break;
    const flags = d.readInt32LE(e);
    if ((flags & 0xffff) !== X86_64_LIBC6 && process.arch === 'x64') continue;
    const key = str(d.readUInt32LE(e + 4));
    if (!out.has(key)) out.set(key, str(d.readUInt32LE(e + 8)));
  }
  return out;
}

/** The path of a library given as `libc`, `c`, `libc.so` or `libc.so.6`, or null. */
export function resolveLibrary(name: string): string | null {
  const base = name.startsWith('lib') ? name : `lib${name}`;
  const cache = ldCache();
  const exact = cache.get(name) ?? cache.get(base);
  if (exact) return exact;
  // libc → libc.so.6: the versioned soname is what programs load, so prefer it over a dev symlink.
  const versioned = [...cache.keys()].filter((k) => k.startsWith(`${base}.so`)).sort((a, b) => score(a) - score(b));
  if (versioned.length) return cache.get(versioned[0])!;
  for (const dir of STANDARD_DIRS) {
    let files: string[];
    try {
      files = host().listDir(dir);
    } catch {
      continue;
    }
    const hit = files.filter((f) => f === `${base}.so` || f.startsWith(`${base}.so.`)).sort((a, b) => score(a) - score(b))[0];
    if (hit) return `${dir}/${hit}`;
  }
  return null;
}

/** Versioned sonames (libc.so.6) before the unversioned dev link, shorter versions first. */
function score(soname: string): number {
  return (soname.endsWith('.so') ? 1000 : 0) + soname.length;
}
