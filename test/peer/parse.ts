// Reads bpftrace's runtime test files (tests/runtime/* of a bpftrace checkout): blocks of
// `FIELD value` lines separated by blank lines, `#` comments. The format is bpftrace's; this is our
// own reader of it, so the harness can run those tests against bpfscript without their engine.

import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

export interface PeerTest {
  /** `FILE.NAME`, as bpftrace's engine names a test. */
  id: string;
  suite: string;
  name: string;
  /** The shell command, with {{BPFTRACE}} where the tool goes (PROG becomes `{{BPFTRACE}} -e '…'`). */
  run: string;
  expect: string;
  timeoutS: number;
  before?: string;
  after?: string;
  minKernel?: string;
  maxKernel?: string;
  requires: string[];
  env: Record<string, string>;
  arch: string[];
  features: string[];
  notFeatures: string[];
  willFail: boolean;
}

/** Directories under runtime/ that hold helpers, not tests. */
const NOT_SUITES = new Set(['engine', 'scripts', 'outputs']);

export function readSuites(runtimeDir: string): PeerTest[] {
  const out: PeerTest[] = [];
  for (const f of readdirSync(runtimeDir).sort()) {
    if (f.startsWith('.') || NOT_SUITES.has(f) || !statSync(join(runtimeDir, f)).isFile()) continue;
    out.push(...parseSuite(f, readFileSync(join(runtimeDir, f), 'utf8')));
  }
  return out;
}

export function parseSuite(suite: string, text: string): PeerTest[] {
  const tests: PeerTest[] = [];
  let block: string[] = [];
  const flush = () => {
    if (block.length) tests.push(parseBlock(suite, block));
    block = [];
  };
  for (const line of text.split('\n')) {
    if (line.startsWith('#')) continue;
    if (line.trim() === '') flush();
    else block.push(line);
  }
  flush();
  return tests.filter((t) => !t.arch.length || t.arch.includes(process.arch === 'x64' ? 'x86_64' : process.arch));
}

function parseBlock(suite: string, lines: string[]): PeerTest {
  const t: PeerTest = { id: '', suite, name: '', run: '', expect: '', timeoutS: 0, requires: [], env: {}, arch: [], features: [], notFeatures: [], willFail: false };
  let prog = '';
  for (const raw of lines) {
    const words = raw.trim().split(/\s+/);
    const field = words[0];
    // Values are whitespace-normalised, as bpftrace's engine reads them.
    const value = words.slice(1).join(' ');
    switch (field) {
      case 'NAME':
        t.name = value;
        break;
      case 'RUN':
        t.run = value;
        break;
      case 'PROG':
        prog = value;
        break;
      case 'EXPECT':
        t.expect = value;
        break;
      case 'TIMEOUT':
        t.timeoutS = Number(value);
        break;
      case 'BEFORE':
        t.before = value;
        break;
      case 'AFTER':
        t.after = value;
        break;
      case 'MIN_KERNEL':
        t.minKernel = value;
        break;
      case 'MAX_KERNEL':
        t.maxKernel = value;
        break;
      case 'REQUIRES':
        t.requires.push(value);
        break;
      case 'ENV':
        for (const kv of value.split(' ')) {
          const eq = kv.indexOf('=');
          if (eq > 0) t.env[kv.slice(0, eq)] = kv.slice(eq + 1);
        }
        break;
      case 'ARCH':
        t.arch = value.split('|').map((a) => a.trim());
        break;
      case 'REQUIRES_FEATURE':
        for (const f of value.split(' ').filter(Boolean)) (f.startsWith('!') ? t.notFeatures : t.features).push(f.replace(/^!/, ''));
        break;
      case 'WILL_FAIL':
        t.willFail = true;
        break;
      default:
        throw new Error(`${suite}: unknown field ${field}`);
    }
  }
  if (prog) t.run = `{{BPFTRACE}} -e '${prog}'`;
  if (!t.name || !t.run || !t.expect) throw new Error(`${suite}: a test lacks NAME, RUN/PROG or EXPECT: ${lines[0]}`);
  t.id = `${suite}.${t.name}`;
  return t;
}
