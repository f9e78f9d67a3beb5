// The directory bpftrace's runtime tests expect to run in (its build tree's tests/): runtime/ with
// the test files and their scripts, testprogs/ and testlibs/ built from the checkout's C sources
// the way its CMake build makes them (-g -O0, executables without PIE, libraries without the
// executable bit).

import { execFileSync } from '../child';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';

/** `checkout`: a bpftrace source tree, or its tests/ directory. Returns the new work directory. */
export function prepareWorkdir(checkout: string, log: (line: string) => void): string {
  const tests = existsSync(join(checkout, 'tests', 'runtime')) ? join(checkout, 'tests') : checkout;
  if (!existsSync(join(tests, 'runtime'))) throw new Error(`${checkout}: no tests/runtime here (give a bpftrace checkout)`);
  // Private and unpredictable: this runs as root and builds programs it then runs.
  const work = mkdtempSync(join(tmpdir(), 'bpfscript-peer-'));
  symlinkSync(resolve(tests, 'runtime'), join(work, 'runtime'));
  const cc = (args: string[]) => execFileSync('cc', args, { stdio: ['ignore', 'ignore', 'pipe'], timeout: 60_000 });
  const sdt = hasSdtHeader(cc, work) ? ['-DHAVE_SYSTEMTAP_SYS_SDT_H'] : [];
  // Newer checkouts ship headers (libbpf-usdt) in tests/include for their test programs.
  const inc = existsSync(join(tests, 'include')) ? ['-I', join(tests, 'include')] : [];
  const cmake = existsSync(join(tests, 'testprogs', 'CMakeLists.txt')) ? readFileSync(join(tests, 'testprogs', 'CMakeLists.txt'), 'utf8') : '';
  // From 0.2x on every test program is built twice, the second time as a PIE named NAME-pie.
  const pie = cmake.includes('testprog_compile(TRUE)');
  const fp = cmake.includes('-fno-omit-frame-pointer') ? ['-fno-omit-frame-pointer', '-mno-omit-leaf-frame-pointer'] : [];
  let failed = 0;
  const build = (what: string, args: string[]) => {
    try {
      cc(args);
    } catch (e) {
      failed++;
      log(`could not build ${what}: ${String((e as { stderr?: Buffer }).stderr ?? e).split('\n')[0]}`);
    }
  };

  const libs = join(work, 'testlibs');
  mkdirSync(libs);
  for (const src of cSources(join(tests, 'testlibs'))) {
    const out = join(libs, `lib${src.name}.so`);
    build(`testlibs/${src.name}`, ['-g', '-O0', '-shared', '-fPIC', ...sdt, ...inc, '-o', out, src.path]);
    if (existsSync(out)) chmodSync(out, 0o644);
  }
  const progs = join(work, 'testprogs');
  mkdirSync(progs);
  for (const src of cSources(join(tests, 'testprogs'))) {
    // usdt_lib calls into libusdt_tp from testlibs/, as the CMake build links it.
    const extra = src.name === 'usdt_lib' ? ['-I', join(tests, 'testlibs'), '-fPIC', `-L${libs}`, '-lusdt_tp', `-Wl,-rpath,${libs}`] : [];
    const cxx = src.path.endsWith('.cpp') ? ['-x', 'c++'] : [];
    const opt = src.name === 'uprobe_nofp' ? ['-O1', '-fomit-frame-pointer', '-fno-optimize-sibling-calls'] : ['-O0', ...fp];
    const libcxx = cxx.length ? ['-lstdc++'] : [];
    build(`testprogs/${src.name}`, ['-g', ...opt, '-no-pie', ...sdt, ...inc, '-o', join(progs, src.name), ...cxx, src.path, '-x', 'none', ...extra, '-lpthread', ...libcxx]);
    if (pie) build(`testprogs/${src.name}-pie`, ['-g', ...opt, '-fpie', '-pie', ...sdt, ...inc, '-o', join(progs, `${src.name}-pie`), ...cxx, src.path, '-x', 'none', ...extra, '-lpthread', ...libcxx]);
  }
  if (cmake.includes('external_debug')) failed += buildDebugVariants(progs, join(tests, 'testprogs'), log);
  log(`work directory ${work}: ${readdirSync(progs).length} test programs${failed ? ` (${failed} failed to build)` : ''}, ${readdirSync(libs).length} libraries`);
  return work;
}

/** Whether the compiler finds <sys/sdt.h>: Debian puts it under the multiarch include directory,
 * not /usr/include/sys. Without it the usdt test programs are built without probes and skip. */
function hasSdtHeader(cc: (args: string[]) => unknown, work: string): boolean {
  const probe = join(work, 'sdt-check.c');
  writeFileSync(probe, '#include <sys/sdt.h>\n');
  try {
    cc(['-E', '-o', '/dev/null', probe]);
    return true;
  } catch {
    return false;
  } finally {
    rmSync(probe);
  }
}

function cSources(dir: string): { name: string; path: string }[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => f.endsWith('.c') || f.endsWith('.cpp'))
    .sort()
    .map((f) => ({ name: f.replace(/\.c(pp)?$/, ''), path: join(dir, f) }));
}

/**
 * The extra programs newer checkouts' CMake makes from the test programs (tests/testprogs/
 * CMakeLists.txt): a stripped binary with its debug info beside it, one found through
 * .gnu_debuglink in ./.debug, split DWARF as .dwo files and as a .dwp package, a flat binary of
 * false.c's main, and a zip holding `true`. Returns how many could not be made.
 */
function buildDebugVariants(progs: string, src: string, log: (line: string) => void): number {
  const ext = join(progs, 'external_debug');
  for (const d of [ext, join(ext, 'dwo'), join(ext, 'dwp'), join(progs, '.debug')]) mkdirSync(d, { recursive: true });
  const steps: [string, string[]][] = [
    ['llvm-objcopy', ['--only-keep-debug', join(progs, 'uprobe_test'), join(ext, 'uprobe_test-stripped.debug')]],
    ['llvm-objcopy', ['--strip-debug', join(progs, 'uprobe_test'), join(progs, 'uprobe_test-stripped')]],
    ['llvm-objcopy', ['--only-keep-debug', join(progs, 'uprobe_separate_debug'), join(progs, '.debug', 'uprobe_separate_debug-stripped.debug')]],
    ['llvm-objcopy', ['--strip-debug', join(progs, 'uprobe_separate_debug'), join(progs, 'uprobe_separate_debug-stripped')]],
    ['llvm-objcopy', [`--add-gnu-debuglink=${join(progs, '.debug', 'uprobe_separate_debug-stripped.debug')}`, join(progs, 'uprobe_separate_debug-stripped')]],
    ['cc', ['-g', '-O0', '-gsplit-dwarf', join(src, 'uprobe_test.c'), '-o', join(ext, 'dwo', 'uprobe_test-split')]],
    ['cc', ['-g', '-O0', '-gsplit-dwarf', join(src, 'uprobe_test.c'), '-o', join(ext, 'dwp', 'uprobe_test-split')]],
    ['llvm-dwp', ['-e', join(ext, 'dwp', 'uprobe_test-split'), '-o', join(ext, 'dwp', 'uprobe_test-split.dwp')]],
    ['cc', ['-c', join(src, 'false.c'), '-o', join(progs, 'false.o')]],
    ['llvm-objcopy', ['-S', '--only-section=.text', '--keep-symbol=main', '-O', 'binary', join(progs, 'false.o'), join(progs, 'false.bin')]],
    ['zip', ['-q', '-0', '-j', join(progs, 'archive.zip'), join(progs, 'true')]],
  ];
  let failed = 0;
  for (const [cmd, args] of steps) {
    try {
      // The .dwo files of a split build land in the working directory, as CMake's do.
      execFileSync(cmd, args, { cwd: args.includes('-gsplit-dwarf') ? dirname(args[args.length - 1]) : progs, stdio: ['ignore', 'ignore', 'pipe'], timeout: 60_000 });
    } catch (e) {
      failed++;
      log(`could not make a debug variant (${cmd} ${args.join(' ')}): ${String((e as { stderr?: Buffer }).stderr ?? e).split('\n')[0]}`);
    }
  }
  // The .dwp package replaces the .dwo files it was made from.
  for (const f of readdirSync(join(ext, 'dwp'))) if (f.endsWith('.dwo')) rmSync(join(ext, 'dwp', f));
  rmSync(join(progs, 'false.o'), { force: true });
  return failed;
}
