// What the host suites need, checked before any suite runs (test/run.ts): on a fresh machine
// `npm test` then prints one line naming the exact fix instead of failing test by test. Run as a
// script (`npm install` does, after compiling), it names the libraries bpfscript itself lacks.

import { accessSync, constants, existsSync, readdirSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { aptInstall, LIBBPF_PACKAGE, LLVM_PACKAGE } from '../common/host-packages';

interface Need {
  what: string;
  present: () => boolean;
  /** The Debian/Ubuntu package that brings it. */
  pkg?: string;
  /** Otherwise, what to do. */
  fix?: string;
}

function onPath(cmd: string): boolean {
  return (process.env.PATH ?? '').split(delimiter).some((dir) => {
    try {
      accessSync(join(dir, cmd), constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
}

/** `file` under some multiarch directory of `base` (/usr/lib/x86_64-linux-gnu/…) or in `base` itself. */
function inMultiarch(base: string, file: string): boolean {
  if (existsSync(join(base, file))) return true;
  try {
    return readdirSync(base).some((d) => d.includes('-linux-') && existsSync(join(base, d, file)));
  } catch {
    return false;
  }
}

/** Loads the library the way bpfscript does; a failure is a BpfscriptError naming it. */
function loads(load: () => unknown): boolean {
  try {
    load();
    return true;
  } catch {
    return false;
  }
}

const LIBRARIES: Need[] = [
  { what: 'libLLVM-N.so.1', pkg: LLVM_PACKAGE, present: () => loads(() => require('../src/codegen/llvm/ffi').llvmRaw()) },
  { what: 'libbpf.so.1', pkg: LIBBPF_PACKAGE, present: () => loads(() => require('../runtime/libbpf/ffi').ffi()) },
];

const NEEDS: Need[] = [
  ...LIBRARIES,
  { what: 'bpftool', pkg: 'bpftool', present: () => onPath('bpftool') },
  { what: 'bpftrace (the oracle)', pkg: 'bpftrace', present: () => onPath('bpftrace') },
  { what: 'cc', pkg: 'gcc', present: () => onPath('cc') },
  { what: 'libc.a (static fixtures)', pkg: 'libc6-dev', present: () => inMultiarch('/usr/lib', 'libc.a') || existsSync('/usr/lib64/libc.a') },
  { what: 'sys/sdt.h (USDT fixture)', pkg: 'systemtap-sdt-dev', present: () => inMultiarch('/usr/include', 'sys/sdt.h') },
  { what: 'python3', pkg: 'python3', present: () => onPath('python3') },
  { what: 'chromium (flame graph test)', pkg: 'chromium', present: () => existsSync('/usr/bin/chromium') },
  { what: 'prometheus and promtool (metrics.test.ts)', pkg: 'prometheus', present: () => onPath('prometheus') && onPath('promtool') },
  { what: 'root', fix: 'run it as root (sudo npm test)', present: () => process.getuid?.() === 0 },
  {
    what: 'tracefs',
    fix: 'mount tracefs (mount -t tracefs nodev /sys/kernel/tracing)',
    present: () => existsSync('/sys/kernel/tracing/events') || existsSync('/sys/kernel/debug/tracing/events'),
  },
];

function missingLine(needs: Need[], who: string): string | undefined {
  const missing = needs.filter((n) => !n.present());
  if (!missing.length) return undefined;
  const pkgs = missing.flatMap((n) => (n.pkg ? [n.pkg] : []));
  const fixes = [...(pkgs.length ? [`install them with \`${aptInstall(pkgs)}\``] : []), ...missing.flatMap((n) => (n.fix ? [n.fix] : []))];
  return `${who}: missing ${missing.map((n) => n.what).join(', ')}; ${fixes.join('; ')}`;
}

/** The one line that says what `npm test` lacks and how to get it, or undefined when nothing. */
export function missingPrerequisites(): string | undefined {
  return missingLine(NEEDS, 'npm test cannot run here');
}

// After `npm install` compiles: a warning only, the install itself has succeeded.
if (require.main === module) {
  const missing = missingLine(LIBRARIES, 'bpfscript cannot run yet');
  if (missing) process.stderr.write(`WARNING: ${missing}\n`);
}
