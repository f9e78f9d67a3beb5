// A verifier rejection explained from the verifier's own log: which kind of rejection it is (the
// catalogue in ./kinds.ts), the instructions that produced the offending value under the script
// lines they came from (the BTF line info the log carries), what the verifier proved and what it
// could not, and the usual fix.

import { effect, producers } from './chain';
import { KINDS, type Facts, type Kind } from './kinds';
import { parseLog, type Step } from './parse';
import { describeValue } from './words';

export { KINDS, type Kind } from './kinds';
export { parseLog, type ParsedLog, type Step } from './parse';

export interface Explanation {
  kind: Kind;
  /** The line of the log the kind was recognised by. */
  said: string;
  facts: Facts;
  /** Oldest first, ending with the rejected instruction. */
  chain: Step[];
  /** Steps of a long loop turn left out before the chain. */
  omitted: number;
}

/** A loop's turn can be hundreds of instructions: the last ones are the ones that matter. */
const MAX_SHOWN = 32;

export function explainLog(log: string): Explanation | null {
  const parsed = parseLog(log);
  const reason = parsed.reason.join('\n');
  let kind: Kind | undefined;
  let m: RegExpExecArray | null = null;
  for (const text of [reason, log]) {
    kind = KINDS.find((k) => (m = k.test.exec(text)) !== null);
    if (kind) break;
  }
  if (!kind || !m) return null;
  const steps = parsed.steps;
  const target = kind.at?.(m);
  let at = steps.length - 1;
  if (target !== undefined) at = steps.map((s) => s.index).lastIndexOf(target);
  const insn = at >= 0 ? steps[at] : undefined;
  const match = m as RegExpExecArray;
  const reg = kind.register ? kind.register(match, insn) : /^R\d/.test(match[0]) ? `R${match[1]}` : undefined;
  let chain = insn ? producers(steps, at, reg) : [];
  if (insn && kind.show === 'loop') {
    // One turn: from the visit of the loop's head before the last one up to the jump back.
    const before = steps.slice(0, at).map((s) => s.index).lastIndexOf(insn.index);
    chain = before >= 0 ? steps.slice(before, at) : steps.slice(at);
  } else if (insn && kind.show === 'last-turn') {
    // The path since it last passed the rejected instruction: the loop's last turn.
    const before = steps.slice(0, at).map((s) => s.index).lastIndexOf(insn.index);
    if (before >= 0) chain = steps.slice(before + 1, at + 1);
  } else if (insn && kind.show === 'at-and-end') {
    chain = at === steps.length - 1 ? [insn] : [insn, steps[steps.length - 1]];
  }
  const omitted = Math.max(0, chain.length - MAX_SHOWN);
  chain = chain.slice(omitted);
  const rejected = kind.show === 'loop' || kind.show === 'at-and-end' ? chain[chain.length - 1] : insn;
  const facts: Facts = { m: match, reg, value: describeValue(reg ? insn?.before.get(reg) : undefined), insn: rejected, origin: reg ? chain[0] : undefined };
  const said = (kind.test.global ? '' : match.input.split('\n').find((l) => kind!.test.test(l))) ?? match[0];
  return { kind, facts, chain, omitted, said };
}

const pad = (s: string, n: number) => (s.length >= n ? `${s}  ` : s.padEnd(n));

/** What the step made of the register it writes, in plain words. */
function made(s: Step): string {
  const tested = /^if [rw](\d+) /.exec(s.text);
  if (tested) {
    const v = s.after.get(`R${tested[1]}`);
    return v === undefined ? '' : `R${tested[1]} on the path taken: ${describeValue(v)}`;
  }
  const w = effect(s.text).writes;
  if (!w) return '';
  const name = w.startsWith('r') ? `R${w.slice(1)}` : w;
  const v = s.state.get(name);
  return v === undefined ? '' : `${name}: ${describeValue(v)}`;
}

/** Registers in order, then stack slots from the frame down, as the verifier writes them. */
function stateLine(state: Map<string, string>): string {
  const rank = (k: string) => (k.startsWith('R') ? Number(k.slice(1)) : 100 - Number(k.slice(2)));
  return [...state].sort((a, b) => rank(a[0]) - rank(b[0])).map(([k, v]) => `${k}=${v}`).join(' ');
}

/** The explanation as lines for a diagnostic's notes. */
export function renderExplanation(e: Explanation): string[] {
  const out: string[] = [];
  const { chain, facts } = e;
  if (chain.length) {
    const what = e.kind.show === 'loop' ? 'one turn of the loop'
      : e.kind.show === 'last-turn' ? 'the last turn of the loop before it gave up'
      : e.kind.show === 'at-and-end' ? 'where the reference was taken, and the end of the path'
      : facts.reg && chain.slice(0, -1).some((s) => s.text.startsWith('if ')) ? `the instructions that made ${facts.reg}, and its tests on the way`
      : facts.reg && chain.length > 1 ? `the instructions that made ${facts.reg}` : 'the rejected instruction';
    const withLines = chain.some((s) => s.source);
    const under = !withLines ? '' : chain.length > 1 ? ', under the script lines they came from' : ', under the script line it came from';
    out.push(`How the verifier got there (${what}${under}):`);
    if (e.omitted) out.push(`  … ${e.omitted} instructions before these`);
    let last = '';
    for (const s of chain) {
      const where = s.source ? `${s.source.file}:${s.source.line}` : '';
      if (s.source && where !== last) out.push(`  ${where}: ${s.source.text}`);
      last = where;
      const note = s === facts.insn ? (e.kind.show === 'loop' ? `<- back to ${chain[0].index}, nothing changed` : '<- rejected here') : made(s);
      out.push(`${' '.repeat(withLines ? 6 : 2)}${pad(`${s.index}: ${s.text}`, 36)}${note}`.trimEnd());
    }
  }
  if (facts.insn?.before.size) out.push(`State there: ${stateLine(facts.insn.before)}`);
  out.push(`The verifier proved: ${e.kind.proved(facts)}`);
  out.push(`It could not prove: ${e.kind.unproved(facts)}`);
  return out;
}
