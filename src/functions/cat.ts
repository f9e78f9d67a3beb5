// cat(filename) / cat(fmt, args...): prints a file's contents, read in user space when the event
// is handled, at most BPFTRACE_CAT_BYTES_MAX bytes (10 KiB by default), as bpftrace 0.17 does;
// bpftrace 0.26 names the limit BPFTRACE_MAX_CAT_BYTES and words a missing file its own way.

import { closeSync, openSync, readSync } from 'node:fs';
import { writeBytes } from '../../common/stdio';
import { formattedTextFunction } from './formatted-event';
import { errnoWords } from '../../common/errno-words';
import type { Dialect } from '../../common/dialect';

const DEFAULT_MAX = 10240;

/**
 * BPFTRACE_CAT_BYTES_MAX (bpftrace 0.17's name; 0.26 reads BPFTRACE_MAX_CAT_BYTES first) when set,
 * else the compile's max_cat_bytes.
 */
function maxBytes(configured: unknown, dialect: Dialect | undefined): number {
  const env = dialect === '0.26' ? (process.env.BPFTRACE_MAX_CAT_BYTES ?? process.env.BPFTRACE_CAT_BYTES_MAX) : process.env.BPFTRACE_CAT_BYTES_MAX;
  const n = env === undefined ? NaN : Number(env);
  if (Number.isInteger(n) && n >= 0) return n;
  return typeof configured === 'number' ? configured : DEFAULT_MAX;
}

function readHead(file: string, max: number): string {
  const fd = openSync(Buffer.from(file, 'latin1'), 'r');
  try {
    const buf = Buffer.alloc(Math.min(max, 1 << 16));
    const chunks: Buffer[] = [];
    let total = 0;
    while (total < max) {
      const n = readSync(fd, buf, 0, Math.min(buf.length, max - total), null);
      if (n === 0) break;
      chunks.push(Buffer.from(buf.subarray(0, n)));
      total += n;
    }
    return Buffer.concat(chunks).toString('latin1');
  } finally {
    closeSync(fd);
  }
}

export const cat = formattedTextFunction('cat', (file, rt, data) => {
  let text: string;
  try {
    text = readHead(file, maxBytes(data.maxBytes, rt.dialect));
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    rt.output.flush();
    const why = rt.dialect === '0.26' ? ` (${errnoWords(err)})` : `: ${errnoWords(err)}`;
    writeBytes(2, Buffer.from(`ERROR: failed to open file '${file}'${why}\n`, 'latin1'));
    return;
  }
  rt.output.message('cat', text, false);
}, undefined, (ctx) => (ctx.options.catBytes !== undefined ? { maxBytes: ctx.options.catBytes } : {}));
cat.examples = [{ script: 'BEGIN { cat("/proc/sys/kernel/ostype"); exit(); }', output: 'Linux\n\n\n', sameAs017: true }];
