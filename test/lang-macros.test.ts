// Macros, imports and the standard library written in bpfscript (bpftrace 0.26): expansions run
// in the kernel with their output checked, hygiene, overloads, imported scripts, and the errors
// (bpftrace's wordings, spans into the macro and at each call it came through, exit status 1).

import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { chmodSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { bpfscript, leakedPrograms, runDir } from './helpers';

test.after(() => {
  assert.equal(leakedPrograms(), []);
});

const NO_CACHE = { BPFSCRIPT_CACHE: '0' };

/** Runs `prog` (or the script file) and returns its output without the attach line. */
function run(args: string[]): { out: string; err: string; status: number | null } {
  const r = bpfscript(args, { timeoutMs: 30_000, env: NO_CACHE });
  return { out: r.stdout.replace(/^Attaching \d+ probes?\.\.\.\n/, ''), err: r.stderr, status: r.status };
}
const runE = (prog: string) => run(['-e', prog]);

function ok(prog: string, expected: string): void {
  const r = runE(prog);
  assert.is(r.err, '');
  assert.is(r.status, 0);
  assert.is(r.out, expected);
}

function fails(prog: string, stderr: string): void {
  const r = runE(prog);
  assert.is(r.err, stderr);
  assert.is(r.status, 1);
  assert.is(r.out, '');
}

test('a $var parameter is the caller\'s variable: the macro changes it, and its last expression is its value', () => {
  ok('macro inc($x) { $x += 1; $x } BEGIN { $a = 1; $b = inc($a); inc($a); print(($a, $b)); exit(); }', '(3, 2)\n\n\n');
});

test('a @map parameter is the caller\'s map, keyed or not', () => {
  ok('macro set(@x) { @x[1] = 2; } macro put(@x) { @x = 7; } macro get(@x) { 1 + @x[1] } BEGIN { @a[1] = 1; set(@a); put(@b); print(get(@a)); exit(); }', '3\n\n\n@a[1]: 2\n@b: 7\n');
});

test('an expression parameter is the caller\'s expression, evaluated at each use', () => {
  ok('macro side_effects(x) { x; x; x; } BEGIN { side_effects({ printf("hi") }); printf("\\n"); exit(); }', 'hihihi\n\n\n');
  ok('macro add_one(x) { x + 1 } BEGIN { $a = 1; @m = 5; print(add_one($a + 1)); print(add_one(@m)); print(add_one(add_one(1) + 1)); exit(); }', '3\n6\n4\n\n\n@m: 5\n');
});

test('macros call macros, as expressions and as statements, whatever the order they are defined in', () => {
  ok('macro add2(x) { x + add1(x) } macro add3(x) { x + add2(x) } macro add1(x) { x + 1 } BEGIN { print(add3(1)); exit(); }', '4\n\n\n');
  ok('macro add1($x) { $x += 1; } macro add2($y) { add1($y); $y += 1; } macro add3($z) { add2($z); $z += 1; } BEGIN { $a = 1; add3($a); print($a); exit(); }', '4\n\n\n');
  ok('macro second(a, b) { print((a, b)); } macro first(@b, $x) { second(@b, $x); } BEGIN { @d = 5; $y = 1; first(@d, $y); exit(); }', '(5, 1)\n\n\n@d: 5\n');
});

test("hygiene: the macro's own variables never meet the caller's, even across calls of different types", () => {
  ok('macro inc(x) { $y = x + 1; $y } BEGIN { $y = 2; $z = inc(5); print(($y, $z)); exit(); }', '(2, 6)\n\n\n');
  ok('macro same(x) { $v = x; $v } BEGIN { printf("%d %s\\n", same(1), same("one")); exit(); }', '1 one\n\n\n');
});

test('a macro without parameters is called by its bare name too; a parameter hides a macro of its name', () => {
  ok('macro one() { $x = 1; $x } macro answer { 42 } BEGIN { $a = one; print(($a, one(), answer, answer!())); exit(); }', '(1, 1, 42, 42)\n\n\n');
  ok('macro add() { 2 } macro ident(add) { add } BEGIN { print(ident(1)); exit(); }', '1\n\n\n');
});

test('overloads: chosen by the kind and number of arguments', () => {
  const defs = 'macro f($x) { "var" } macro f(@x) { "map" } macro f(x) { "expr" } macro f(x, y) { "two" } macro f() { "none" }';
  ok(`${defs} BEGIN { $v = 1; @m = 1; printf("%s %s %s %s %s\\n", f($v), f(@m), f(1 + 1), f(1, 2), f); exit(); }`, 'var map expr two none\n\n\n@m: 1\n');
});

test('a macro with statements used as a value: in an if condition, an else-if, a for range, a map key', () => {
  ok(
    'macro big(v) { $t = v * 10; $t > 50 } macro three() { $n = 1; $n + 2 } BEGIN { if (big(3)) { print("a"); } else if (big(6)) { print("b"); } ' +
      'for ($i : 0..three()) { @s[three()] = $i; } exit(); }',
    'b\n\n\n@s[3]: 2\n',
  );
});

test('a macro with statements in a while condition runs them each round; in a predicate, before the test', () => {
  ok('macro below(v, n) { $t = v; $t < n } BEGIN { $i = 0; while (below($i, 3)) { $i++; if ($i == 1) { continue; } printf("%d\\n", $i); } exit(); }', '2\n3\n\n\n');
  ok('macro even(v) { $t = v % 2; $t == 0 } interval:ms:10 / even(@n++) / { printf("%d\\n", @n); if (@n > 5) { exit(); } } END { clear(@n); }', '1\n3\n5\n7\n\n\n\n');
});

test('after && and ||, a macro\'s statements run only when its value is needed', () => {
  ok(
    'macro big(v) { $t = v * 10; printf("eval %d\\n", v); $t > 50 } BEGIN { $a = 0; @x = (1 && big(6)); @y = ($a && big(7)); @z = ($a || big(2)); @w = (1 || big(9)); if ($a == 0 && big(8)) { printf("yes\\n"); } exit(); }',
    'eval 6\neval 2\neval 8\nyes\n\n\n@w: 1\n@x: 1\n@y: 0\n@z: 0\n',
  );
});

test('in a ?: branch, a macro\'s statements run only in the branch taken (?: too)', () => {
  ok(
    'macro big(v) { $t = v * 10; printf("eval %d\\n", v); $t > 50 } macro name(v) { $n = v; $n } BEGIN { $a = 0; @x = $a ? big(6) : big(7); @y = $a ?: big(8); @z = 3 ?: big(9); printf("%s\\n", $a ? name("yes") : name("no")); exit(); }',
    'eval 7\neval 8\nno\n\n\n@x: 1\n@y: 1\n@z: 3\n',
  );
});

test('a macro of a constant stands where a literal is required: unroll\'s count', () => {
  ok('macro three { 3 } BEGIN { unroll(three) { @n++; } exit(); }', '\n\n@n: 3\n');
});

test('a block passed as an expression runs at each use, with the caller\'s variables', () => {
  ok('macro inc(x) { $y = x + 1; $z = x + 2; $y + $z } BEGIN { $y = 2; print(inc({ $y += 1; $y })); exit(); }', '10\n\n\n');
});

test('builtins as bpftrace 0.26 wraps them: name() is the builtin, __builtin_name is it whatever a macro says', () => {
  ok('BEGIN { printf("%d %d %d\\n", pid() == pid, __builtin_pid == pid, __builtin_comm == comm()); exit(); }', '1 1 1\n\n\n');
  ok('macro cpu() { "mine" } macro pid(x) { x } BEGIN { printf("%s %d %s\\n", cpu(), __builtin_cpu >= 0, pid("one")); printf("%d\\n", pid() == __builtin_pid); exit(); }', 'mine 1 one\n1\n\n\n');
});

test('a macro may end the probe: exit() and return inside it', () => {
  ok('macro early() { exit(); } BEGIN { early(); print(1); }', '\n\n');
  ok('macro done() { return; } BEGIN { @n = 1; done(); print(1); } interval:ms:100 { exit(); }', '\n\n@n: 1\n');
});

test('the standard library: ppid, pcomm, leader_tid, leader_comm of the current task or a given one', () => {
  const r = run(['-c', 'sleep 0.3', '-e', 'BEGIN { @me = pid; } tracepoint:syscalls:sys_enter_clock_nanosleep /pid == cpid/ { printf("%d %d %s %d %s %d\\n", ppid == @me, ppid(curtask) == @me, comm, leader_tid == pid, leader_comm(curtask), leader_tid(curtask) == tid); printf("%s\\n", pcomm); exit(); }']);
  assert.is(r.err, '');
  const [ids, parent] = r.out.split('\n');
  assert.is(ids, '1 1 sleep 1 sleep 1');
  // The parent is bpfscript itself, named as node runs it.
  assert.ok(parent === 'node' || parent === 'bpfscript', parent);
});

test('the standard library: is_err', () => {
  ok('BEGIN { printf("%d %d %d %d\\n", is_err(-4), is_err(0), is_err(-5000), is_err((uint64)-4095)); exit(); }', '1 0 0 1\n\n\n');
});

test("a user's macro replaces the library's of the same signature, and leaves its other overloads", () => {
  ok('macro ppid() { 42 } BEGIN { print(ppid); exit(); }', '42\n\n\n');
  ok('macro ppid(x, y) { x + y } BEGIN { print((ppid(1, 2), ppid > 0)); exit(); }', '(3, 1)\n\n\n');
  // A script's own constant of a library macro's name is still the constant where no call is made.
  ok('#define is_err 7\nBEGIN { print((is_err, is_err(-1))); exit(); }', '(7, 1)\n\n\n');
});

test('errors: a call matching no definition points at the closest one (bpftrace\'s wording)', () => {
  fails('macro add($x, y) { $x + 1 } BEGIN { add(1, 1); }', `stdin:1:37-46: ERROR: Call to add() has arguments that do not match any definition.
macro add($x, y) { $x + 1 } BEGIN { add(1, 1); }
                                    ~~~~~~~~~
stdin:1:41-42: ERROR: Mismatched arg. add() expects a variable for arg $x but got an expression.
macro add($x, y) { $x + 1 } BEGIN { add(1, 1); }
                                        ~
stdin:1:11-13: ERROR: This is the argument in the closest definition.
macro add($x, y) { $x + 1 } BEGIN { add(1, 1); }
          ~~
`);
  fails('macro add(x) { x + 1 } macro add(x, y) { x + y } BEGIN { add(1, 1, 1); }', `stdin:1:58-70: ERROR: Call to add() has arguments that do not match any definition.
macro add(x) { x + 1 } macro add(x, y) { x + y } BEGIN { add(1, 1, 1); }
                                                         ~~~~~~~~~~~~
stdin:1:24-33: ERROR: The closest definition of add() has a different number of arguments. Expected: 2 but got 3
macro add(x) { x + 1 } macro add(x, y) { x + y } BEGIN { add(1, 1, 1); }
                       ~~~~~~~~~
`);
  fails('macro set(@x) { @x } BEGIN { $a = 0; set($a); }', `stdin:1:38-45: ERROR: Call to set() has arguments that do not match any definition.
macro set(@x) { @x } BEGIN { $a = 0; set($a); }
                                     ~~~~~~~
stdin:1:42-44: ERROR: Mismatched arg. set() expects a map for arg @x but got a variable.
macro set(@x) { @x } BEGIN { $a = 0; set($a); }
                                         ~~
stdin:1:11-13: ERROR: This is the argument in the closest definition.
macro set(@x) { @x } BEGIN { $a = 0; set($a); }
          ~~
`);
});

test('errors: definitions (repeated parameters, redefinition, builtin names as parameters)', () => {
  fails('macro set($x, $x) { $x } BEGIN { exit(); }', `stdin:1:15-17: ERROR: Variable for macro argument has already been used: $x
macro set($x, $x) { $x } BEGIN { exit(); }
              ~~
`);
  fails('macro cpu2() { 1 } macro cpu2() { 2 } BEGIN { exit(); }', `stdin:1:20-30: ERROR: Redefinition of macro: cpu2
macro cpu2() { 1 } macro cpu2() { 2 } BEGIN { exit(); }
                   ~~~~~~~~~~
stdin:1:1-11: ERROR: This is the original definition.
macro cpu2() { 1 } macro cpu2() { 2 } BEGIN { exit(); }
~~~~~~~~~~
`);
  fails('macro test(pid) { 1 } BEGIN { exit(); }', `stdin:1:12-15: ERROR: builtin 'pid' can't be used as a macro argument
macro test(pid) { 1 } BEGIN { exit(); }
           ~~~
HINT: name the parameter something else
`);
});

test('errors: recursion, unhygienic map access, a let shadowing a parameter, a missing value', () => {
  const rec = 'macro a1(x) { x + a2(x) } macro a2(x) { x + a1(x) } BEGIN { print(a1(1)); }';
  const r = runE(rec);
  assert.is(r.status, 1);
  assert.ok(r.err.startsWith('stdin:1:45-50: ERROR: Recursive macro call detected. Call chain: a1 > a2 > a1\n'), r.err);
  assert.ok(r.err.includes('stdin:1:19-24: ERROR: expanded from\n') && r.err.includes('stdin:1:67-72: ERROR: expanded from\n'), r.err);
  fails('macro set() { @x[1] = 1; 1 } BEGIN { @x[0] = 0; set(); }', `stdin:1:15-20: ERROR: Unhygienic access to map: @x. Maps must be passed into the macro as arguments.
macro set() { @x[1] = 1; 1 } BEGIN { @x[0] = 0; set(); }
              ~~~~~
stdin:1:49-54: ERROR: expanded from
macro set() { @x[1] = 1; 1 } BEGIN { @x[0] = 0; set(); }
                                                ~~~~~
`);
  fails('macro set($x) { let $x = 1; $x } BEGIN { $y = 1; set($y); }', `stdin:1:17-27: ERROR: Variable declaration shadows macro arg $x
macro set($x) { let $x = 1; $x } BEGIN { $y = 1; set($y); }
                ~~~~~~~~~~
stdin:1:50-57: ERROR: expanded from
macro set($x) { let $x = 1; $x } BEGIN { $y = 1; set($y); }
                                                 ~~~~~~~
`);
  fails('macro bump(x) { x++; } BEGIN { $a = 1; bump($a); }', `stdin:1:17-20: ERROR: macro parameter x is an expression and cannot be changed
macro bump(x) { x++; } BEGIN { $a = 1; bump($a); }
                ~~~
HINT: declare it as $x to change the caller's variable
stdin:1:40-48: ERROR: expanded from
macro bump(x) { x++; } BEGIN { $a = 1; bump($a); }
                                       ~~~~~~~~
`);
  fails('macro nothing($x) { $x += 1; } BEGIN { $y = 1; $z = nothing($y); }', `stdin:1:53-64: ERROR: macro nothing() has no value to use here
macro nothing($x) { $x += 1; } BEGIN { $y = 1; $z = nothing($y); }
                                                    ~~~~~~~~~~~
HINT: a macro's value is its last expression, written without ';'
`);
});

test('an error inside a macro points into it, then at each call it came through', () => {
  const r = runE('macro add2($x) { $x + 1 } macro add1($x) { add2($x) } BEGIN { $a = "string"; add1($a); }');
  assert.is(r.status, 1);
  const lines = r.err.split('\n');
  assert.ok(lines[0].startsWith('stdin:1:18-24: ERROR: '), r.err);
  assert.ok(r.err.endsWith(`stdin:1:44-52: ERROR: expanded from
macro add2($x) { $x + 1 } macro add1($x) { add2($x) } BEGIN { $a = "string"; add1($a); }
                                           ~~~~~~~~
stdin:1:78-86: ERROR: expanded from
macro add2($x) { $x + 1 } macro add1($x) { add2($x) } BEGIN { $a = "string"; add1($a); }
                                                                             ~~~~~~~~
`), r.err);
});

test('fn definitions (bpftrace 0.26) are accepted; a call to one, or a probe returning a value, is refused with a way out', () => {
  ok('fn twice($a: int64): int64 { return $a * 2; } BEGIN { print(1); exit(); }', '1\n\n\n');
  fails('fn twice($a: int64): int64 { return $a * 2; } BEGIN { print(twice(2)); }', `stdin:1:61-66: ERROR: twice() is a user function (fn): bpftrace compiles those but cannot call them, nor can bpfscript yet
fn twice($a: int64): int64 { return $a * 2; } BEGIN { print(twice(2)); }
                                                            ~~~~~
HINT: write it as a macro: macro twice(…) { …; value }
`);
  fails('BEGIN { return 1; }', `stdin:1:16-17: ERROR: a probe returns no value: return with a value belongs in a function (fn)
BEGIN { return 1; }
               ~
HINT: write 'return;'
`);
});

test('-d macros shows the program the type checker reads: expansions, renamed variables, statements moved ahead', () => {
  const r = bpfscript(['-d', 'macros', '-e', 'macro inc($x) { $x += 1; $x } macro big(v) { $t = v * 10; $t > 50 } BEGIN { $a = 1; $b = inc($a); if ($a && big(6)) { printf("%d\\n", $b); } }'], { env: NO_CACHE });
  assert.is(r.stderr, '');
  assert.is(r.status, 0);
  assert.is(r.stdout, `== Macros expanded (the program the type checker reads) ==
BEGIN
{
  $a = 1;
  $a += 1;
  $b = $a;
  $$and_1 = 1 && 0;
  if ($a) {
    $$big_t = 6 * 10;
    $$and_1 = 1 && $$big_t > 50;
  }
  if ($$and_1) {
    printf("%d\\n", $b);
  }
}
`);
  assert.is(bpfscript(['-d', 'macros', '-e', 'BEGIN { exit(); }']).stdout, '== Macros expanded (the program the type checker reads) ==\nnothing to expand: the program imports nothing and calls no macro\n');
});

/** A private directory for import tests (imports refuse world-writable places). */
function importDir(): string {
  const d = mkdtempSync(join(runDir(), 'imports-'));
  chmodSync(d, 0o755);
  return d;
}

test('import: macros and probes of another script, relative to the importing script, nested, each once (cycles end)', () => {
  const d = importDir();
  mkdirSync(join(d, 'lib'));
  writeFileSync(join(d, 'lib', 'greet.bt'), 'import "twice.bt";\nmacro greet(who) { printf("hello %s\\n", who); }\n');
  writeFileSync(join(d, 'lib', 'twice.bt'), 'import "greet.bt";\nimport "../main.bt";\nmacro twice(x) { x * 2 }\nEND { printf("end from twice.bt\\n"); }\n');
  writeFileSync(join(d, 'main.bt'), 'import "lib/greet.bt";\nimport "lib/greet.bt";\nBEGIN { greet("world"); print(twice(21)); exit(); }\n');
  const r = run([join(d, 'main.bt')]);
  assert.is(r.err, '');
  assert.is(r.status, 0);
  assert.is(r.out, 'hello world\n42\nend from twice.bt\n\n\n');
});

test('import: a directory imports every .bt file in it; -e imports relative to the working directory', () => {
  const d = importDir();
  mkdirSync(join(d, 'lib'));
  writeFileSync(join(d, 'lib', 'a.bt'), 'macro a() { 1 }\n');
  writeFileSync(join(d, 'lib', 'b.bt'), 'macro b() { 2 }\n');
  writeFileSync(join(d, 'lib', 'notes.txt'), 'not a script\n');
  writeFileSync(join(d, 'main.bt'), 'import "lib";\nBEGIN { print(a + b); exit(); }\n');
  const r = run([join(d, 'main.bt')]);
  assert.is(r.err, '');
  assert.is(r.out, '3\n\n\n');
  const inCwd = bpfscriptIn(d, ['-e', 'import "lib/a.bt"; BEGIN { print(a()); exit(); }']);
  assert.is(inCwd, '1\n\n\n');
});

test('import: the compile cache notices a change in an imported file', () => {
  const d = importDir();
  writeFileSync(join(d, 'lib.bt'), 'macro v() { 1 }\n');
  writeFileSync(join(d, 'main.bt'), 'import "lib.bt";\nBEGIN { print(v); exit(); }\n');
  const cached = (): string => {
    const r = bpfscript([join(d, 'main.bt')], { timeoutMs: 30_000, env: { BPFSCRIPT_CACHE_DIR: join(d, 'cache') } });
    assert.is(r.stderr, '');
    return r.stdout;
  };
  assert.is(cached(), 'Attaching 1 probe...\n1\n\n\n');
  assert.is(cached(), 'Attaching 1 probe...\n1\n\n\n');
  writeFileSync(join(d, 'lib.bt'), 'macro v() { 22 }\n');
  assert.is(cached(), 'Attaching 1 probe...\n22\n\n\n');
});

function bpfscriptIn(cwd: string, args: string[]): string {
  const { spawnSync } = require('./child') as typeof import('./child');
  const r = spawnSync(process.execPath, [join(__dirname, '..', '..', 'bin', 'bpfscript'), ...args], { cwd, encoding: 'utf8', timeout: 30_000, env: { ...process.env, ...NO_CACHE } });
  assert.is(r.stderr, '');
  return r.stdout.replace(/^Attaching \d+ probes?\.\.\.\n/, '');
}

test('import errors: a missing file, a world-writable directory, a config block, an error inside the imported file', () => {
  const d = importDir();
  writeFileSync(join(d, 'missing.bt'), 'import "nope.bt";\nBEGIN { exit(); }\n');
  let r = run([join(d, 'missing.bt')]);
  assert.is(r.status, 1);
  assert.is(r.err, `${d}/missing.bt:1:1-18: ERROR: Unable to find suitable path for import\nimport "nope.bt";\n~~~~~~~~~~~~~~~~~\nHINT: checked: ${d}/nope.bt\n`);

  mkdirSync(join(d, 'open'));
  chmodSync(join(d, 'open'), 0o777);
  writeFileSync(join(d, 'open', 'lib.bt'), 'macro x() { 1 }\n');
  writeFileSync(join(d, 'open.bt'), 'import "open/lib.bt";\nBEGIN { exit(); }\n');
  r = run([join(d, 'open.bt')]);
  assert.is(r.status, 1);
  assert.is(r.err, `${d}/open.bt:1:1-22: ERROR: cowardly refusing to import from a directory with global write permissions: "${d}/open/lib.bt"\nimport "open/lib.bt";\n~~~~~~~~~~~~~~~~~~~~~\n`);

  writeFileSync(join(d, 'cfg.bt'), 'config = { max_strlen = 10 }\nmacro x() { 1 }\n');
  writeFileSync(join(d, 'usecfg.bt'), 'import "cfg.bt";\nBEGIN { print(x); exit(); }\n');
  r = run([join(d, 'usecfg.bt')]);
  assert.is(r.status, 1);
  assert.is(r.err, `${d}/cfg.bt:1:1-29: ERROR: invalid \`config\` within import\nconfig = { max_strlen = 10 }\n~~~~~~~~~~~~~~~~~~~~~~~~~~~~\nHINT: only the main script may have a config block\n`);

  writeFileSync(join(d, 'bad.bt'), 'macro bad(@m) {\n  @other = 1;\n}\n');
  writeFileSync(join(d, 'usebad.bt'), 'import "bad.bt";\nBEGIN { bad(@x); }\n');
  r = run([join(d, 'usebad.bt')]);
  assert.is(r.status, 1);
  assert.is(r.err, `${d}/bad.bt:2:3-9: ERROR: Unhygienic access to map: @other. Maps must be passed into the macro as arguments.\n  @other = 1;\n  ~~~~~~\n${d}/usebad.bt:2:9-16: ERROR: expanded from\nBEGIN { bad(@x); }\n        ~~~~~~~\n`);
});

test.run();
