// Tracepoint metadata from tracefs: the list of events and each event's record layout (`format`),
// for compiling and for `-lv`. tracefs may be mounted at either place; it is mounted when neither
// has it.

import { intType, type Type } from '../types';
import { host, perHost, readText } from './host';
import { mounts } from './mounts';

export const TRACEFS_ROOTS = ['/sys/kernel/tracing', '/sys/kernel/debug/tracing'];

/** Where tracefs is mounted; when it is nowhere and we are root, it is mounted first (once). */
export function tracefsRoot(): string | null {
  const h = host();
  for (const r of TRACEFS_ROOTS) if (h.exists(`${r}/events`)) return r;
  const tried = perHost('tracefs:mount', () => ({ done: false }));
  if (!tried.done && h.isRoot()) {
    tried.done = true;
    if (h.mountTracefs(TRACEFS_ROOTS[0]!)) return tracefsRoot();
  }
  return null;
}

/** Why tracefs cannot be read: for the hint of a tracepoint that was not found. */
export function tracefsMissing(): string {
  const mounted = mounts().some((m) => m.type === 'tracefs');
  if (mounted && !host().isRoot()) return 'tracefs is readable by root only: run bpfscript as root (with sudo)';
  return `tracefs is not mounted: mount -t tracefs nodev ${TRACEFS_ROOTS[0]}`;
}

export interface TracepointField {
  name: string;
  /** The C declaration's type as tracefs prints it, e.g. "const char *". */
  ctype: string;
  offset: number;
  size: number;
  signed: boolean;
  /** Element count when the field is an array (`char comm[16]`). */
  arrayLength?: number;
  /** Read by copying it out with bpf_probe_read_kernel, not by a load: the verifier types some
   * context pointers (an iterator's task) as maybe-NULL and refuses arithmetic on every fresh
   * load of them, while a copy is a plain number. */
  copied?: boolean;
  /** A uprobe parameter passed on the stack: `offset` counts from the user stack pointer at the
   * probed function's entry (the return address is at 0), in the traced process's memory. */
  stack?: boolean;
  /** A uprobe parameter, a struct passed by value in registers: where in struct pt_regs each of its
   * eightbytes is, in order. */
  regs?: number[];
}

export interface TracepointFormat {
  category: string;
  name: string;
  id: number;
  fields: TracepointField[];
  /** Size of the record, so codegen never reads past it. */
  size: number;
  /** Every field's declaration as tracefs prints it ("const char * filename"), common_ ones included. */
  declarations?: string[];
}

const FIELD = /^\s*field:(.+?);\s*offset:(\d+);\s*size:(\d+);\s*signed:(\d+);/;

export function parseFormat(category: string, name: string, text: string): TracepointFormat {
  const fields: TracepointField[] = [];
  const declarations: string[] = [];
  let id = 0;
  for (const line of text.split('\n')) {
    const idm = /^ID:\s*(\d+)/.exec(line);
    if (idm) id = Number(idm[1]);
    const m = FIELD.exec(line);
    if (!m) continue;
    const decl = m[1].trim();
    declarations.push(decl);
    // "char comm[16]", "const char * filename", "__data_loc char[] name"
    const dm = /^(.*?)([A-Za-z_]\w*)\s*(?:\[(\d*)\])?$/.exec(decl);
    if (!dm) continue;
    const field: TracepointField = {
      name: dm[2],
      ctype: dm[1].trim(),
      offset: Number(m[2]),
      size: Number(m[3]),
      signed: m[4] === '1',
    };
    if (dm[3] !== undefined && dm[3] !== '') field.arrayLength = Number(dm[3]);
    fields.push(field);
  }
  const size = fields.reduce((a, f) => Math.max(a, f.offset + f.size), 0);
  return { category, name, id, fields, size, declarations };
}

/** The format of `category:name`, or null when the kernel has no such tracepoint. */
export function readFormat(category: string, name: string): TracepointFormat | null {
  return perHost(`tracefs:format:${category}:${name}`, () => {
    const root = tracefsRoot();
    if (!root || !/^[\w-]+$/.test(category) || !/^[\w-]+$/.test(name)) return null;
    try {
      return parseFormat(category, name, readText(`${root}/events/${category}/${name}/format`));
    } catch {
      return null;
    }
  });
}

/** The argument lines `-lv` shows: the format's fields without the common_ header, as declared. */
export function argumentDeclarations(category: string, name: string): string[] {
  const decls = readFormat(category, name)?.declarations ?? [];
  return decls.filter((d) => !/\bcommon_\w+$/.test(d.replace(/\[\d*\]$/, '')));
}

/** Every tracepoint as "category:name", from available_events. */
export function listTracepoints(): string[] {
  const root = tracefsRoot();
  if (!root) return [];
  return readText(`${root}/available_events`)
    .split('\n')
    .filter(Boolean);
}

/**
 * The language type a tracepoint field reads as: integers by size and signedness, char arrays as
 * strings, other arrays (`unsigned long args[6]`, `__u8 saddr[4]`) as arrays, indexed with [N].
 */
export function fieldType(f: TracepointField): Type {
  if (f.arrayLength !== undefined && /\bchar$/.test(f.ctype)) return { kind: 'string', size: f.arrayLength };
  const elemSize = f.arrayLength ? f.size / f.arrayLength : 0;
  if (f.arrayLength && (elemSize === 1 || elemSize === 2 || elemSize === 4 || elemSize === 8)) {
    const elem = { kind: 'int' as const, bytes: elemSize as 1 | 2 | 4 | 8, signed: f.signed };
    return { kind: 'string', size: f.size + 1, format: 'array', layout: { kind: 'array', elem, elemSize, length: f.arrayLength } };
  }
  const bits = f.size === 1 ? 8 : f.size === 2 ? 16 : f.size === 4 ? 32 : 64;
  return intType(bits, f.signed);
}
