// --metrics [ADDR]: where the exporter listens. ADDR is HOST:PORT, [IPV6]:PORT, :PORT (every
// interface) or PORT (loopback); the default is ebpf_exporter's port on loopback, so nothing is
// exposed beyond the machine unless asked.

import { BpfscriptError } from '../../common/diagnostics';

export const DEFAULT_METRICS_ADDRESS = '127.0.0.1:9435';

export interface ListenAddress {
  /** undefined: every interface. */
  host: string | undefined;
  port: number;
  /** As given, for messages. */
  text: string;
}

/** Whether `text` has the form of an address rather than, say, a script file after a bare --metrics. */
export function looksLikeAddress(text: string): boolean {
  // A colon says an address was meant, well formed or not (parseListenAddress then says what is wrong).
  return /^\d+$/.test(text) || text.includes(':');
}

export function parseListenAddress(text: string): ListenAddress {
  const bad = (why: string) => new BpfscriptError({ severity: 'ERROR', message: `--metrics ${text}: ${why}`, hint: `give HOST:PORT, :PORT (every interface) or PORT; the default is ${DEFAULT_METRICS_ADDRESS}` });
  const m = /^(?:(\[[0-9a-fA-F:.]+\]|[^\s/:[\]]*):)?(\d+)$/.exec(text);
  if (!m) throw bad('not an address');
  const port = Number(m[2]);
  if (port > 65535) throw bad('the port must be from 0 to 65535');
  const host = m[1] === undefined ? '127.0.0.1' : m[1] === '' ? undefined : m[1].replace(/^\[|\]$/g, '');
  return { host, port, text };
}
