// Reads bpftrace's runtime test files (tests/runtime/* of a bpftrace checkout): blocks of
// `FIELD value` lines separated by blank lines, `#` comments. The format is bpftrace's; this is our
// own reader of it, so the harness can run those tests against bpfscript without their engine.
//
// Two generations of the format: up to 0.20 one EXPECT, a regular expression, with values
// whitespace-normalised; from 0.21 on EXPECT matches a whole line literally and EXPECT_REGEX,
// EXPECT_NONE, EXPECT_REGEX_NONE, EXPECT_FILE, EXPECT_JSON may be given several times, PROG and
// EXPECT continue on indented lines, and SETUP, CLEANUP, several BEFOREs, RETURN_CODE,
// NEW_PIDNS, SKIP_IF_ENV_HAS and LOCALIZE_TIMESTAMPS appear. Which one a checkout speaks is read
// from its engine (tests/runtime/engine/parser.py).

import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

export type ExpectMode = 'regex' | 'regex_none' | 'text' | 'text_none' | 'file' | 'json';

export interface Expect {
  mode: ExpectMode;
  /** The pattern, the literal line, or (file, json) a path relative to the work directory. */
  text: string;
}

export type TestFormat = 'regex' | 'lines';

export interface PeerTest {
  /** `FILE.NAME`, as bpftrace's engine names a test. */
  id: string;
  suite: string;
  name: string;
  /** The shell command, with {{BPFTRACE}} where the tool goes (PROG becomes `{{BPFTRACE}} -e '…'`). */
  run: string;
  /** Given as PROG (the engine adds `-q -f json` when the first expectation is EXPECT_JSON). */
  prog?: string;
  expects: Expect[];
  timeoutS: number;
  befores: string[];
  after?: string;
  setup?: string;
  cleanup?: string;
  minKernel?: string;
  maxKernel?: string;
  requires: string[];
  env: Record<string, string>;
  arch: string[];
  features: string[];
  notFeatures: string[];
  willFail: boolean;
  /** The exit status the engine wants (RETURN_CODE; 0 unless given). */
  returnCode: number;
  newPidns: boolean;
  skipIfEnvHas?: [string, string];
  /** LOCALIZE_TIMESTAMPS: an EXPECT_FILE is a strftime format of this epoch second in local time. */
  localizeTs?: number;
}

/** Directories under runtime/ that hold helpers, not tests. */
const NOT_SUITES = new Set(['engine', 'scripts', 'outputs']);

/** The format of a checkout's tests: its engine knows EXPECT_REGEX from 0.21 on. */
export function testFormat(runtimeDir: string): TestFormat {
  const engine = join(runtimeDir, 'engine', 'parser.py');
  return existsSync(engine) && readFileSync(engine, 'utf8').includes('EXPECT_REGEX') ? 'lines' : 'regex';
}

export function readSuites(runtimeDir: string, format: TestFormat = testFormat(runtimeDir)): PeerTest[] {
  const out: PeerTest[] = [];
  for (const f of readdirSync(runtimeDir).sort()) {
    if (f.startsWith('.') || NOT_SUITES.has(f) || !statSync(join(runtimeDir, f)).isFile()) continue;
    out.push(...parseSuite(f, readFileSync(join(runtimeDir, f), 'utf8'), format));
  }
  return out;
}

export function parseSuite(suite: string, text: string, format: TestFormat = 'regex'): PeerTest[] {
  const tests: PeerTest[] = [];
  let block: string[] = [];
  const flush = () => {
    if (block.length) tests.push(format === 'lines' ? parseLinesBlock(suite, block) : parseRegexBlock(suite, block));
    block = [];
  };
  for (const line of text.split('\n')) {
    if (line.startsWith('#')) continue;
    // The newer engine ends a block only at an empty line; a line of spaces continues a field.
    if (format === 'lines' ? line === '' : line.trim() === '') flush();
    else block.push(line);
  }
  flush();
  return tests.filter((t) => !t.arch.length || t.arch.includes(process.arch === 'x64' ? 'x86_64' : process.arch));
}

function emptyTest(suite: string): PeerTest {
  return { id: '', suite, name: '', run: '', expects: [], timeoutS: 0, befores: [], requires: [], env: {}, arch: [], features: [], notFeatures: [], willFail: false, returnCode: 0, newPidns: false };
}

/** The fields both generations share; false for a field this one does not know. */
function commonField(t: PeerTest, field: string, value: string): boolean {
  switch (field) {
    case 'NAME':
      t.name = value;
      return true;
    case 'RUN':
      t.run = value;
      return true;
    case 'TIMEOUT':
      t.timeoutS = Number(value);
      return true;
    case 'BEFORE':
      t.befores.push(value);
      return true;
    case 'AFTER':
      t.after = value;
      return true;
    case 'MIN_KERNEL':
      t.minKernel = value;
      return true;
    case 'MAX_KERNEL':
      t.maxKernel = value;
      return true;
    case 'REQUIRES':
      t.requires.push(value);
      return true;
    case 'ENV':
      for (const kv of value.split(/\s+/)) {
        const eq = kv.indexOf('=');
        if (eq > 0) t.env[kv.slice(0, eq)] = kv.slice(eq + 1);
      }
      return true;
    case 'ARCH':
      t.arch = value.split('|').map((a) => a.trim());
      return true;
    case 'REQUIRES_FEATURE':
      for (const f of value.split(' ').filter(Boolean)) (f.startsWith('!') ? t.notFeatures : t.features).push(f.replace(/^!/, ''));
      return true;
    case 'WILL_FAIL':
      t.willFail = true;
      return true;
  }
  return false;
}

function parseRegexBlock(suite: string, lines: string[]): PeerTest {
  const t = emptyTest(suite);
  for (const raw of lines) {
    const words = raw.trim().split(/\s+/);
    const field = words[0];
    // Values are whitespace-normalised, as bpftrace's engine reads them.
    const value = words.slice(1).join(' ');
    if (field === 'PROG') t.prog = value;
    else if (field === 'EXPECT') t.expects.push({ mode: 'regex', text: value });
    else if (!commonField(t, field, value)) throw new Error(`${suite}: unknown field ${field}`);
  }
  if (t.prog !== undefined) t.run = `{{BPFTRACE}} -e '${t.prog}'`;
  return finish(t, lines);
}

const EXPECTS: Record<string, ExpectMode> = { EXPECT: 'text', EXPECT_NONE: 'text_none', EXPECT_REGEX: 'regex', EXPECT_REGEX_NONE: 'regex_none', EXPECT_FILE: 'file', EXPECT_JSON: 'json' };

function parseLinesBlock(suite: string, lines: string[]): PeerTest {
  const t = emptyTest(suite);
  let prev = '';
  for (const raw of lines) {
    // As the engine: a line indented past the previous field's name continues that field.
    const indent = raw.slice(0, prev.length + 1);
    if (prev && indent.length === prev.length + 1 && /^\s+$/.test(indent)) {
      const rest = raw.slice(prev.length + 1);
      if (prev === 'PROG') {
        t.prog += `\n${rest}`;
        continue;
      }
      if (prev.startsWith('EXPECT') && t.expects.length) {
        t.expects[t.expects.length - 1].text += `\n${rest}`;
        continue;
      }
    }
    const trimmed = raw.trim();
    const sp = trimmed.search(/\s/);
    const field = sp < 0 ? trimmed : trimmed.slice(0, sp);
    const value = sp < 0 ? '' : trimmed.slice(sp).trimStart();
    prev = field;
    if (field === 'PROG') t.prog = value;
    else if (EXPECTS[field]) t.expects.push({ mode: EXPECTS[field], text: value });
    else if (field === 'SETUP') t.setup = value;
    else if (field === 'CLEANUP') t.cleanup = value;
    else if (field === 'RETURN_CODE') t.returnCode = Number(value);
    else if (field === 'NEW_PIDNS') t.newPidns = true;
    else if (field === 'LOCALIZE_TIMESTAMPS') t.localizeTs = Number(value);
    else if (field === 'SKIP_IF_ENV_HAS') {
      const [k, v] = value.split('=');
      t.skipIfEnvHas = [k, v ?? ''];
    } else if (!commonField(t, field, value)) throw new Error(`${suite}: unknown field ${field}`);
  }
  if (t.prog !== undefined) {
    // The newer engine's own quoting of PROG for the shell; EXPECT_JSON tests run quiet in JSON.
    const json = t.expects[0]?.mode === 'json' ? '-q -f json ' : '';
    t.run = `{{BPFTRACE}} ${json}-e '${t.prog.replaceAll("'", "'\\''")}'`;
  }
  return finish(t, lines);
}

function finish(t: PeerTest, lines: string[]): PeerTest {
  if (!t.name || !t.run || (!t.expects.length && t.returnCode === 0)) throw new Error(`${t.suite}: a test lacks NAME, RUN/PROG or EXPECT: ${lines[0]}`);
  t.id = `${t.suite}.${t.name}`;
  return t;
}
