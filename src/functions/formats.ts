// The registry of value formats: how the values some functions make (ntop()'s address, buf()'s
// data, a stack id …) decode and print in user space. Adding one is a ValueFormat in the module of
// the function that makes such values and a line here. Lazy like the other registries
// (./index.ts): the compiler and the runtime load only the formats a script's types name.

import type { Type, Value } from '../../common/types';
import { jsonString } from '../../common/format/json-string';
import { mod, Registry } from './registry';
import type { ValueFormat } from './runtime-contract';

type Stack = typeof import('./stack');
type Sym = typeof import('./sym');
type Copies = typeof import('./copy-formats');
/** Value formats by `StringType.format`. */
export const formats = new Registry<ValueFormat>({
  inet: () => mod<typeof import('./ntop')>('./ntop').inetFormat,
  buffer: () => mod<typeof import('./buf')>('./buf').bufferFormat,
  strftime: () => mod<typeof import('./strftime')>('./strftime').strftimeFormat,
  mac: () => mod<typeof import('./macaddr')>('./macaddr').macFormat,
  bytes: () => mod<typeof import('./pton')>('./pton').bytesFormat,
  record: () => mod<Copies>('./copy-formats').recordFormat,
  array: () => mod<Copies>('./copy-formats').arrayFormat,
  username: () => mod<typeof import('./username')>('./username').usernameFormat,
  strerror: () => mod<typeof import('./strerror')>('./strerror').strerrorFormat,
  syscall_name: () => mod<typeof import('./number-names')>('./number-names').syscallNameFormat,
  signal_name: () => mod<typeof import('./number-names')>('./number-names').signalNameFormat,
  cgroup_path: () => mod<typeof import('./cgroup-path')>('./cgroup-path').cgroupPathFormat,
  kstack: () => mod<Stack>('./stack').kstackFormat,
  ustack: () => mod<Stack>('./stack').ustackFormat,
  ksym: () => mod<Sym>('./sym').ksymFormat,
  usym: () => mod<Sym>('./sym').usymFormat,
});

/** The format of a string-like value, or undefined for plain values. */
export function formatOf(t: Type): ValueFormat | undefined {
  if (t.kind !== 'string' || t.format === undefined) return undefined;
  const f = formats.get(t.format);
  if (!f) throw new Error(`internal: no value format ${t.format}`);
  return f;
}

/** bpftrace 0.26 writes as JSON strings the values 0.17 wrote bare (strerror, strftime, …). */
export const QUOTED_IN_026 = { '0.26': (v: Value) => jsonString(String(v)) } as const;
