// usdt:BINARY:PROVIDER:NAME and usdt:BINARY:NAME: SystemTap SDT probes, read from the binary's
// .note.stapsdt notes at compile time. Each probe site becomes its own program, because each site
// has its own argument specs (arg0 may be in %rbx at one site and at -16(%rbp) at another).

import type { AttachPoint } from '../ast';
import { Opcode, type Val } from '../codegen/llvm';
import { probeReadHelper } from '../codegen/probe-read';
import { error, missingTarget } from '../../common/diagnostics';
import { parseUsdtArg, splitUsdtArgs, usdtNotes, type UsdtArg } from '../../common/kernel/stapsdt';
import type { EmitContext } from '../functions/types';
import type { UsdtAttach } from './usdt.attach';
import type { ExpandedProbe, ProbeSite, ProbeType } from './types';
import { globBinaries, openBinary } from './user-binary';
import { ElfFile } from '../../common/kernel/elf';
import { isElfFile, processObjects } from '../../common/kernel/process-objects';
import { hasWildcard, wildcardRegex } from '../../common/wildcard';

/** x86-64 register names → byte offset of the full register in struct pt_regs, and bit shift. */
const PT_REGS: Record<string, [number, number]> = {};
for (const [off, names] of [
  [0, ['r15', 'r15d', 'r15w', 'r15b']], [8, ['r14', 'r14d', 'r14w', 'r14b']], [16, ['r13', 'r13d', 'r13w', 'r13b']],
  [24, ['r12', 'r12d', 'r12w', 'r12b']], [32, ['rbp', 'ebp', 'bp', 'bpl']], [40, ['rbx', 'ebx', 'bx', 'bl']],
  [48, ['r11', 'r11d', 'r11w', 'r11b']], [56, ['r10', 'r10d', 'r10w', 'r10b']], [64, ['r9', 'r9d', 'r9w', 'r9b']],
  [72, ['r8', 'r8d', 'r8w', 'r8b']], [80, ['rax', 'eax', 'ax', 'al']], [88, ['rcx', 'ecx', 'cx', 'cl']],
  [96, ['rdx', 'edx', 'dx', 'dl']], [104, ['rsi', 'esi', 'si', 'sil']], [112, ['rdi', 'edi', 'di', 'dil']],
  [128, ['rip']], [152, ['rsp', 'esp', 'sp', 'spl']],
] as [number, string[]][]) {
  for (const n of names) PT_REGS[n] = [off, 0];
}
for (const [n, off] of [['ah', 80], ['bh', 40], ['ch', 88], ['dh', 96]] as [string, number][]) PT_REGS[n] = [off, 8];

/** The ELF files process `pid` maps (its executable, its libraries), each once; others are skipped. */
function mappedObjects(ap: AttachPoint, pid: number): { path: string; elf: ElfFile }[] {
  let paths: string[];
  try {
    paths = processObjects(pid);
  } catch {
    throw error(`cannot read the mappings of process ${pid}`, ap.span, 'is the process still running?');
  }
  const out: { path: string; elf: ElfFile }[] = [];
  for (const path of paths) {
    try {
      out.push({ path, elf: ElfFile.open(path) });
    } catch {
      // unreadable or malformed: it has no probes to offer
    }
  }
  return out;
}

/** The ELF files a glob in the binary part names (usdt:./bin/app*:…), as bpftrace 0.17 expands it. */
function globbedObjects(ap: AttachPoint, pattern: string): { path: string; elf: ElfFile }[] {
  const out: { path: string; elf: ElfFile }[] = [];
  for (const path of globBinaries(pattern)) {
    if (!isElfFile(path)) continue;
    try {
      out.push({ path, elf: ElfFile.open(path) });
    } catch {
      // malformed: it has no probes to offer
    }
  }
  if (!out.length) throw missingTarget(`no binary matches ${pattern}`, ap.span, 'the binary part is a path glob; list what it matches with: ls');
  return out;
}

function checkArgSpec(ap: AttachPoint, spec: string, where: string): void {
  const a = parseUsdtArg(spec);
  if (!a || (a.kind !== 'const' && !PT_REGS[a.reg]) || (a.kind === 'mem' && a.index && !PT_REGS[a.index.reg])) {
    throw error(`usdt argument '${spec}' of ${where} has a form bpfscript cannot read yet`, ap.span, 'supported: constants, registers, OFFSET(%reg) and OFFSET(%reg,%reg,SCALE)');
  }
}

function extend(ctx: EmitContext, v: Val, a: UsdtArg): Val {
  if (a.size === 8) return v;
  return ctx.b.intCast(ctx.b.intCast(v, ctx.c.int(a.size * 8), false), ctx.i64, a.signed);
}

function readArg(ctx: EmitContext, n: number, p: ExpandedProbe<UsdtAttach>): Val {
  const specs = p.attach.args;
  if (n >= specs.length) {
    throw error(`${p.name} has ${specs.length} argument${specs.length === 1 ? '' : 's'}, so arg${n} does not exist`, p.ap.span);
  }
  const a = parseUsdtArg(specs[n])!;
  // A constant is as wide as its size says, as bpftrace reads it: 4@$-202182160 is 4092785136.
  if (a.kind === 'const') return ctx.constInt(a.signed ? BigInt.asIntN(a.size * 8, a.value) : BigInt.asUintN(a.size * 8, a.value));
  const load = (name: string) => {
    const [off, shift] = PT_REGS[name];
    const r = ctx.b.load(ctx.i64, ctx.b.byteOffset(ctx.ctxArg, off, ctx.i64));
    return shift ? ctx.b.binop(Opcode.LShr, r, ctx.constInt(shift)) : r;
  };
  const reg = load(a.reg);
  if (a.kind === 'reg') return extend(ctx, reg, a);
  // A value in the traced process's memory: probe-read it into a zeroed slot.
  const slot = ctx.zeroed(8, `usdt_arg${n}`);
  let base = ctx.b.binop(Opcode.Add, reg, ctx.constInt(a.disp));
  if (a.index) base = ctx.b.binop(Opcode.Add, base, ctx.b.binop(Opcode.Mul, load(a.index.reg), ctx.constInt(a.index.scale)));
  const addr = ctx.b.intToPtr(base, ctx.i8p);
  ctx.b.helper(probeReadHelper('user'), ctx.i64, [ctx.i8p, ctx.c.int(32), ctx.i8p], [slot, ctx.c.constInt(ctx.c.int(32), a.size), addr]);
  return extend(ctx, ctx.b.load(ctx.i64, ctx.b.byteOffset(slot, 0, ctx.i64)), a);
}

export const usdt: ProbeType<UsdtAttach> = {
  name: 'usdt',
  aliases: ['U'],
  addressSpace: 'user',
  context: () => 'pt_regs',
  userBinary: (p) => p.attach.binary,
  maySendSignal: true,
  expand(ap, _probe, target) {
    const pid = target?.pid;
    // With -p, the binary may be left out (usdt:NAME, usdt::PROVIDER:NAME): every object the
    // process maps is searched, as bpftrace 0.17 does.
    const anyObject = pid !== undefined && (ap.parts.length === 1 || (ap.parts.length === 3 && ap.parts[0] === ''));
    // An empty provider (usdt:BINARY::NAME) is any provider, as in bpftrace 0.17.
    const emptyOk = (p: string, i: number) => !!p || (i === 1 && ap.parts.length === 3);
    if (!anyObject && (ap.parts.length < 2 || ap.parts.length > 3 || !ap.parts.every(emptyOk))) {
      throw error(`usdt probe must be usdt:binary:provider:name or usdt:binary:name, got ${ap.raw}`, ap.span,
        pid === undefined && ap.parts.length === 1 ? 'with -p PID the binary may be left out: usdt:NAME or usdt::PROVIDER:NAME' : undefined);
    }
    if (anyObject && ap.parts.some((p, i) => !p && !(i === 0 && ap.parts.length === 3) && !emptyOk(p, i))) throw error(`invalid usdt probe ${ap.raw}`, ap.span);
    const [bin, ...rest] = ap.parts.length === 1 ? ['', ap.parts[0]] : ap.parts;
    const [providerPat, namePat] = rest.length === 2 ? [rest[0] || '*', rest[1]] : ['*', rest[0]];
    const pr = wildcardRegex(providerPat);
    const nr = wildcardRegex(namePat);
    const globbed = !anyObject && hasWildcard(bin);
    const objects = anyObject ? mappedObjects(ap, pid!) : globbed ? globbedObjects(ap, bin) : [openBinary(ap, bin, pid)];
    const out: ProbeSite<UsdtAttach>[] = [];
    for (const { path, elf } of objects) {
      const notes = usdtNotes(elf);
      const hits = notes.filter((n) => pr.test(n.provider) && nr.test(n.name));
      if (!hits.length) {
        if (anyObject || globbed) continue;
        const what = rest.length === 2 ? `${providerPat}:${namePat}` : namePat;
        throw error(
          notes.length ? `no usdt probe ${what} in ${path}` : `${path} has no usdt probes (no .note.stapsdt section)`,
          ap.span,
          notes.length ? `list them with: bpfscript -l 'usdt:${path}:*'` : undefined,
        );
      }
      if (!hasWildcard(providerPat + namePat) && rest.length === 1 && new Set(hits.map((h) => h.provider)).size > 1) {
        throw error(`usdt probe name ${namePat} is ambiguous in ${path}`, ap.span, `name the provider: usdt:${path}:PROVIDER:${namePat}`);
      }
      for (const n of hits) {
        const name = `usdt:${path}:${n.provider}:${n.name}`;
        const args = splitUsdtArgs(n.args);
        for (const spec of args) checkArgSpec(ap, spec, name);
        out.push({
          name,
          section: 'uprobe',
          attach: { binary: path, offset: n.offset, semaphoreOffset: n.semaphoreOffset, semaphoreAddr: Number(n.semaphoreAddr), args },
          ap,
        });
      }
    }
    if (!out.length) {
      const what = rest.length === 2 ? `${providerPat}:${namePat}` : namePat;
      throw missingTarget(globbed ? `no usdt probe ${what} in the binaries ${bin} matches` : `no usdt probe ${what} in the objects process ${pid} maps`, ap.span, `list a binary's probes with: bpfscript -l 'usdt:BINARY:*'`);
    }
    return out;
  },
  args: { count: 12, read: readArg },
};
