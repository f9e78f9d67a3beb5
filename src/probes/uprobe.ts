// uprobe:BINARY:SYMBOL, uprobe:BINARY:SYMBOL+OFFSET, uprobe:BINARY:0xADDR and uretprobe. The symbol
// is looked up in the binary's own ELF symbol tables at compile time, and the runtime attaches at a
// plain file offset. A symbol the binary lacks is not an error while other probes remain: bpftrace
// drops such attach points (its ssl tools name libcrypto functions that some builds lack), see
// semantic/unresolved.ts.

import type { AttachPoint, Probe } from '../ast';
import { BpfscriptError, error, missingTarget } from '../../common/diagnostics';
import { processObjects } from '../../common/kernel/process-objects';
import type { ElfFile } from '../../common/kernel/elf';
import { closestNames, functionSymbols, type ElfSymbol } from '../../common/kernel/elf-symbols';
import { ptRegsArgs, ptRegsRetval } from './pt-regs';
import type { UprobeAttach } from './uprobe.attach';
import type { ExpandTarget, ProbeSite, ProbeType } from './types';
import { openBinary } from './user-binary';
// Required on first use: its DWARF readers are ~20 modules a script without uprobes never needs.
const uprobeArgs = (): typeof import('./uprobe-args') => require('./uprobe-args') as typeof import('./uprobe-args');
import { hasWildcard, wildcardRegex } from '../../common/wildcard';

export { resolveBinary } from './user-binary';

/** Function symbols by name; a name defined twice (static functions) keeps its first sized definition. */
function symbolsByName(elf: ElfFile): Map<string, ElfSymbol> {
  const m = new Map<string, ElfSymbol>();
  for (const s of functionSymbols(elf)) {
    const prev = m.get(s.name);
    if (!prev || (!prev.size && s.size)) m.set(s.name, s);
  }
  return m;
}

/** The sites of each object `pid` maps that has the symbol; missing when none has it. */
function everyObject(ap: AttachPoint, pid: number, expand: (object: string) => ProbeSite<UprobeAttach>[]): ProbeSite<UprobeAttach>[] {
  const found: ProbeSite<UprobeAttach>[] = [];
  for (const object of processObjects(pid)) {
    try {
      found.push(...expand(object).filter((p) => !p.unresolved));
    } catch (e) {
      if (!(e instanceof BpfscriptError && e.diagnostics.every((d) => d.missing))) throw e;
    }
  }
  if (!found.length) throw missingTarget(`no object mapped by process ${pid} has ${ap.parts[1]}`, ap.span, `list them with: bpfscript -l 'uprobe:*:*' -p ${pid}`);
  return found;
}

function userProbe(name: 'uprobe' | 'uretprobe', alias: string): ProbeType<UprobeAttach> {
  const ret = name === 'uretprobe';
  const self: ProbeType<UprobeAttach> = {
    name,
    aliases: [alias],
    addressSpace: 'user',
    stackArgs: !ret,
    context: () => 'pt_regs',
    tracedFunction: (p) => (p.attach.symbol === undefined ? undefined : { name: p.attach.symbol }),
    userBinary: (p) => p.attach.binary,
    maySendSignal: true,
    expand(ap: AttachPoint, body?: Probe, cmdline?: ExpandTarget): ProbeSite<UprobeAttach>[] {
      if (ap.parts.length !== 2 || !ap.parts[0] || !ap.parts[1]) {
        throw error(`${name} probe must be ${name}:binary:symbol, got ${ap.raw}`, ap.span, `for example ${name}:/bin/bash:readline or ${name}:libc:malloc`);
      }
      const [bin, target] = ap.parts;
      // bpftrace 0.2x: `*` for the binary with -p is every object the process maps.
      if (bin === '*' && cmdline?.pid !== undefined) return everyObject(ap, cmdline.pid, (object) => self.expand({ ...ap, parts: [object, target] }, body, cmdline));
      const { path, elf } = openBinary(ap, bin, cmdline?.pid);
      const one = (label: string, offset: number, symbol?: string): ProbeSite<UprobeAttach> => {
        // `args` from DWARF, on entry only (bpftrace 0.17 has no args in uretprobes).
        const format = ret ? undefined : uprobeArgs().uprobeArgsFormat(ap, body, path, elf, symbol);
        return {
          name: `${name}:${path}:${label}`,
          section: name,
          attach: { binary: path, offset, retprobe: ret, ...(symbol ? { symbol } : {}) },
          ...(format ? { format } : {}),
          ap,
        };
      };
      if (/^(0x[0-9a-fA-F]+|\d+)$/.test(target)) {
        // An address, as bpftrace takes it: a virtual address in the binary, inside one of its
        // functions (anywhere else a breakpoint could land in data); bpftrace's wording.
        const addr = BigInt(target);
        if (!functionSymbols(elf).some((s) => addr >= s.addr && addr < s.addr + BigInt(Math.max(s.size, 1)))) {
          // bpftrace 0.26 says it when attaching: no location.
          throw error(`Could not resolve address: ${path}:0x${addr.toString(16)}`, cmdline?.dialect === '0.26' ? undefined : ap.span, `the address must lie in a function of ${path}; list them with: bpfscript -l '${name}:${path}:*'`);
        }
        const off = elf.fileOffset(addr);
        if (off === null) throw error(`address ${target} is not in a loaded segment of ${path}`, ap.span);
        return [one(target, off)];
      }
      const m = /^([^+]+)(?:\+(0x[0-9a-fA-F]+|\d+))?$/.exec(target);
      if (!m) throw error(`invalid ${name} target '${target}'`, ap.span);
      const extra = m[2] ? Number(m[2]) : 0;
      if (extra && ret) throw error(`${name} cannot take an offset`, ap.span);
      const syms = symbolsByName(elf);
      const at = (s: ElfSymbol, label: string) => {
        const off = elf.fileOffset(s.addr);
        if (off === null) throw error(`symbol ${s.name} of ${path} is not in a loaded segment`, ap.span);
        if (extra && s.size && extra >= s.size) throw error(`Offset outside the function bounds ('${s.name}' size is ${s.size})`, ap.span, `${s.name} is ${s.size} bytes long`);
        return one(label, off + extra, s.name);
      };
      if (!hasWildcard(m[1])) {
        const s = syms.get(m[1]);
        if (!s) {
          const near = closestNames(m[1], syms.keys());
          const missing = missingTarget(
            `symbol not found in ${path}: ${m[1]}`,
            ap.span,
            near.length ? `did you mean: ${near.join(', ')}?` : `list its symbols with: bpfscript -l '${name}:${path}:*'`,
          );
          return [{ ...one(target, -1, m[1]), unresolved: missing.diagnostics[0] }];
        }
        if (s.size === 0 && cmdline?.dialect === '0.26' && !cmdline.unsafe) {
          // bpftrace 0.2x's refusal: without a size the function's end, and so whether the
          // offset lands inside it, is unknown.
          throw error(`Could not determine boundary for ${s.name} (symbol has size 0).\nUse --unsafe to force attachment. WARNING: This option could lead to data corruption in the target process.`);
        }
        return [at(s, target)];
      }
      if (extra) throw error(`a wildcard ${name} cannot take an offset`, ap.span);
      const re = wildcardRegex(m[1]);
      const hits = [...syms.values()].filter((s) => re.test(s.name)).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
      if (!hits.length) throw missingTarget(`no symbol of ${path} matches ${m[1]}`, ap.span, `list its symbols with: bpfscript -l '${name}:${path}:*'`);
      return hits.map((s) => at(s, s.name));
    },
    argsType: (p) => (p.format ? { kind: 'args', probe: p.name } : null),
    argField: (p, field) => uprobeArgs().uprobeArgField(p, field),
    args: ret ? undefined : ptRegsArgs,
    retval: () => (ret ? ptRegsRetval : null),
  };
  return self;
}

export const uprobe = userProbe('uprobe', 'u');
uprobe.examples = [{ script: 'uprobe:libc:getpid /pid == cpid/ { @ = 1; }', args: ['-c', '/bin/bash -c true'], output: '\n\n@: 1\n', sameAs017: true }];
export const uretprobe = userProbe('uretprobe', 'ur');
uretprobe.examples = [{ script: 'uretprobe:libc:getpid /pid == cpid/ { @ = retval == cpid; }', args: ['-c', '/bin/bash -c true'], output: '\n\n@: 1\n', sameAs017: true }];
