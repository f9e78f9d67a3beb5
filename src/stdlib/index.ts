// bpfscript's standard library in bpfscript, imported by every script as bpftrace 0.26 imports its
// own: parsed once per process, its macros marked as the library's. A name that a builtin or
// function module (src/functions) implements is left to that module, so the two never compete.

import type { Macro } from '../ast';
import { registerSource } from '../../common/diagnostics';
import { aggregates, builtins, functions } from '../functions';
import { BASE_BT } from './base';

const FILES: [string, string][] = [['stdlib/base.bt', BASE_BT]];

let macros: Macro[] | undefined;

export function stdlibMacros(): Macro[] {
  if (macros) return macros;
  const { parse } = require('../../grammar') as typeof import('../../grammar');
  macros = [];
  for (const [file, text] of FILES) {
    registerSource(file, text);
    for (const m of parse(text, file).macros) {
      if (builtins.has(m.name) || functions.has(m.name) || aggregates.has(m.name)) continue;
      macros.push({ ...m, stdlib: true });
    }
  }
  return macros;
}
