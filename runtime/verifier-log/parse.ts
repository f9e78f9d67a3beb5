// Reads a verifier log (level 1 or 2) into the instructions the verifier walked, in the order it
// walked them, with the register state it printed beside each and the script line above it.
//   0: R1=ctx() R10=fp0                             state before instruction 0
//   ; @calls[comm] = count(); @ calls.bt:3          line info of the instructions below
//   5: (85) call bpf_map_lookup_elem#1   ; R0=...   an instruction and what it changed
//   from 6 to 8: R0=map_value(...) R10=fp0          a branch taken later, and its state
//   R0 invalid mem access 'map_value_or_null'      the verifier's reason (the last lines)

export interface ScriptLine {
  text: string;
  file: string;
  line: number;
}

export interface Step {
  /** Instruction index in the program. */
  index: number;
  opcode: number;
  /** The instruction as the verifier printed it, e.g. `r0 = *(u64 *)(r0 +0)`. */
  text: string;
  /** Register and stack state the verifier printed with it (after the instruction), by name: R0, fp-8. */
  state: Map<string, string>;
  /** Everything known of the state before it, gathered along the walk, and after it on the path taken. */
  before: Map<string, string>;
  after: Map<string, string>;
  /** The script line the instruction came from, if the program has line info. */
  source?: ScriptLine;
  /** Index into the walk of the step the verifier came from: the previous one, or a branch's jump. */
  prev: number;
}

export interface ParsedLog {
  steps: Step[];
  /** The verifier's own words: the lines after the last instruction, statistics dropped. */
  reason: string[];
  /** The script line of each instruction index seen with line info. */
  lines: Map<number, ScriptLine>;
}

const INSN = /^(\d+): \(([0-9a-f]{2})\) (.*)$/;
const SOURCE = /^; ?(.*?) @ (.+):(\d+)$/;
const FROM = /^from (\d+) to (\d+): (.*)$/;
const STATE_ONLY = /^(\d+): ((?:R\d+|fp-?\d+)\S*=.*)$/;
const STATS = /^(processed \d+ insns|verification time|stack depth|func#\d+ @|arg#\d+ |Validating |Func#\d+ |mark_precise: |Live regs before insn:|\s+\d+: [.\d]+ \()/;

/** `R0=map_value(id=1,ks=4,vs=8) R1_w=0 fp-8=mmmm0000` → R0, R1, fp-8; spaces inside parentheses kept. */
export function parseState(s: string): Map<string, string> {
  const out = new Map<string, string>();
  let depth = 0;
  let tok = '';
  const flush = () => {
    const m = /^(R\d+|fp-?\d+)(?:_[rwD]+)?=(.*)$/.exec(tok);
    if (m) out.set(m[1], m[2]);
    tok = '';
  };
  for (const ch of s.trim()) {
    if (ch === '(') depth++;
    if (ch === ')') depth--;
    if (ch === ' ' && depth === 0) flush();
    else tok += ch;
  }
  flush();
  return out;
}

/** A map's address loaded into a register (different on every load) as the map's name. */
function mapLoad(text: string, state: Map<string, string>): string {
  const m = /^(r(\d+)) = 0x[0-9a-f]{9,16}$/.exec(text);
  const v = m && state.get(`R${m[2]}`);
  if (!m || !v?.startsWith('map_ptr(')) return text;
  const name = /(?:\(|,)map=([^,)]+)/.exec(v)?.[1];
  return `${m[1]} = map${name ? `[${name}]` : ''}`;
}

function stripFile(f: string): string {
  return f.replace(/^\.\//, '').replace(/^bpfscript:/, '');
}

export function parseLog(log: string): ParsedLog {
  const steps: Step[] = [];
  const lines = new Map<number, ScriptLine>();
  let reason: string[] = [];
  let source: ScriptLine | undefined;
  // Where the next instruction was reached from: the previous step, or the jump a "from X to Y" names.
  let from = -1;
  const lastAt = new Map<number, number>();
  let known = new Map<string, string>();
  const merge = (m: Map<string, string>) => m.forEach((v, k) => known.set(k, v));
  for (const raw of log.split('\n')) {
    const l = raw.trimEnd();
    if (!l.trim()) continue;
    let m: RegExpExecArray | null;
    if ((m = SOURCE.exec(l))) {
      source = { text: m[1].trim(), file: stripFile(m[2]), line: Number(m[3]) };
      continue;
    }
    if ((m = FROM.exec(l))) {
      from = lastAt.get(Number(m[1])) ?? -1;
      source = undefined;
      known = parseState(m[3]);
      continue;
    }
    if ((m = INSN.exec(l))) {
      const index = Number(m[1]);
      // The inline state follows two or more spaces and a semicolon; a taken branch's state follows "N: ".
      let text = m[3];
      let state = new Map<string, string>();
      let after = state;
      const semi = /^(.*?)\s+; (.*)$/.exec(text);
      if (semi) {
        text = semi[1];
        state = after = parseState(semi[2]);
      } else {
        const branch = /^(.*? goto pc[+-]\d+) \d+: (.*)$/.exec(text);
        if (branch) {
          text = branch[1];
          after = parseState(branch[2]);
        }
      }
      text = mapLoad(text.trim(), state);
      if (source) lines.set(index, source);
      const step: Step = { index, opcode: parseInt(m[2], 16), text: text.trim(), state, before: new Map(known), after: known, source: source ?? lines.get(index), prev: from };
      // A call leaves R1-R5 unreadable; the verifier prints only what it changed.
      if (text.startsWith('call ')) for (let r = 0; r <= 5; r++) known.delete(`R${r}`);
      merge(after);
      step.after = new Map(known);
      from = steps.push(step) - 1;
      lastAt.set(index, from);
      reason = [];
      continue;
    }
    if ((m = STATE_ONLY.exec(l))) {
      known = parseState(m[2]);
      continue;
    }
    if (STATS.test(l) || /^(cur|old) state: /.test(l) || /^-- (BEGIN|END)/.test(l) || /^libbpf: /.test(l)) continue;
    reason.push(l.trim());
  }
  for (const s of steps) s.source ??= lines.get(s.index);
  return { steps, reason, lines };
}
