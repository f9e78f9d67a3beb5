// `bpfscript run ARTIFACT`: load what `bpfscript build` wrote. This path requires neither the
// parser (grammar/, chevrotain) nor the semantic passes nor libLLVM, so a machine with only Node,
// koffi and libbpf runs it; BPFSCRIPT_DEBUG_MODULES=1 lists what was loaded, for the test that
// proves it.

import { release } from 'node:os';
import type { CompiledProgram, ProgramMeta } from '../compiled';
import { BpfscriptError } from '../../common/diagnostics';
import { decode, ContainerError, type ContainerHeader } from './format';
import { readArtifact } from './file';
import { toByteString } from '../../common/bytes';
import type { ArtifactInfo } from './build';

export type ArtifactHeader = ContainerHeader & ArtifactInfo;

export interface LoadedArtifact {
  program: CompiledProgram;
  info: ArtifactInfo;
}

/** The artifact at `path`, after its owner, mode, format version, length and hash were checked. */
export function loadArtifact(path: string): LoadedArtifact {
  const data = readArtifact(path);
  try {
    const { header, elf } = decode<ArtifactHeader>(data);
    const { meta, source, file, kernel, builtBy, tracepoints, options } = header;
    if (typeof source !== 'string' || typeof file !== 'string') throw new ContainerError('foreign', 'not a bpfscript artifact (a compile-cache entry?)');
    return { program: { elf, meta }, info: { source, file, kernel, builtBy, tracepoints: Array.isArray(tracepoints) ? tracepoints : [], ...(Array.isArray(options) && options.length ? { options } : {}) } };
  } catch (e) {
    if (!(e instanceof ContainerError)) throw e;
    const rebuild = e.kind === 'foreign' ? '' : '; rebuild it with bpfscript build';
    throw new BpfscriptError({ severity: 'ERROR', message: `refusing artifact '${path}': ${e.message}${rebuild}` });
  }
}

/**
 * The read-only slots of the artifact's positional parameters, from the run's arguments: `$#` is
 * their count, a `$N` the script reads is that argument as a number (decimal, 0x hex, 0 octal, as
 * bpftrace reads them), 0 when missing, and a `str($N)` its text, empty when missing.
 */
export function positionalConfig(meta: ProgramMeta, args: readonly string[]): Record<string, bigint | Buffer> {
  const { parseIntArg } = require('../semantic/positionals') as typeof import('../semantic/positionals');
  const config: Record<string, bigint | Buffer> = {};
  for (const name of Object.keys(meta.rodata.offsets)) {
    if (name === 'argc') config.argc = BigInt(args.length);
    // str($N): the argument's bytes, cut to the slot (the session keeps the terminator).
    const s = /^str(\d+)$/.exec(name);
    if (s) config[name] = Buffer.from(toByteString(args[Number(s[1]) - 1] ?? ''), 'latin1');
    const n = /^arg(\d+)$/.exec(name);
    if (!n) continue;
    const text = args[Number(n[1]) - 1];
    const value = text === undefined ? 0n : parseIntArg(text);
    if (value === null) throw new BpfscriptError({ severity: 'ERROR', message: `positional parameter $${n[1]} must be a number in this artifact, got '${text}'`, hint: 'an artifact reads $N as an integer, and as text only in str($N)' });
    config[name] = value;
  }
  return config;
}

/**
 * The arguments after the artifact: with getopt() options in the program, `--name[=value]` ones
 * are options (as in a script's run), the rest positional parameters. `loose` are the `--name`
 * arguments given without a `--` before them: options only when the program has some.
 */
export function programArgs(info: ArtifactInfo, args: readonly string[], loose: ReadonlySet<string>): { positionals: string[]; named: Map<string, string | true> } {
  if (info.options) return (require('../functions/getopt') as typeof import('../functions/getopt')).splitProgramArgs(args);
  const stray = args.find((a) => loose.has(a));
  if (stray !== undefined) throw new BpfscriptError({ severity: 'ERROR', message: `unknown option for bpfscript run: ${stray}`, hint: 'this artifact reads no getopt() options; arguments after -- are its positional parameters' });
  return { positionals: [...args], named: new Map() };
}

/**
 * The slots of the artifact's getopt() options (`optN`, the N-th declared), from the run's
 * `--name[=value]` arguments: refused as a script's run refuses them (an undeclared name, a value
 * its default's type cannot take), the default when not given.
 */
export function optionConfig(info: ArtifactInfo, named: ReadonlyMap<string, string | true>): Record<string, bigint | Buffer> {
  const options = info.options ?? [];
  if (!options.length && !named.size) return {};
  const { optionValue, refuseUndeclared } = require('../functions/getopt') as typeof import('../functions/getopt');
  refuseUndeclared(new Map(options.map((o) => [o.name, o.description])), named);
  const config: Record<string, bigint | Buffer> = {};
  options.forEach((o, i) => {
    const { value } = optionValue(o.name, o.default, named.get(o.name));
    config[`opt${i}`] = typeof value === 'string' ? Buffer.from(toByteString(value), 'latin1') : value;
  });
  return config;
}

/**
 * Struct layouts and tracepoint formats are checked (./portability.ts); what else the compile
 * resolved is said once, when the kernel differs.
 */
export function kernelWarning(info: ArtifactInfo): string | undefined {
  if (info.kernel === release()) return undefined;
  return `WARNING: this artifact was built on kernel ${info.kernel} and runs on ${release()}: kernel addresses (kaddr) and the functions a wildcard matched are ${info.kernel}'s\n`;
}

/** With BPFSCRIPT_DEBUG_MODULES=1, after a session: every JavaScript module and shared library the process loaded. */
export function loadedModules(): string {
  const { readFileSync } = require('node:fs') as typeof import('node:fs');
  const libs = new Set<string>();
  for (const l of readFileSync('/proc/self/maps', 'utf8').split('\n')) {
    const path = l.split(/\s+/)[5];
    if (path && /\.so(\.|$)/.test(path)) libs.add(path);
  }
  return ['loaded modules:', ...Object.keys(require.cache).sort(), 'loaded libraries:', ...[...libs].sort()].join('\n') + '\n';
}
