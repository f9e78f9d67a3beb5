// The catalogue of verifier rejections: how to recognise each in the verifier's own words, which
// register's history explains it, what the verifier proved and what it could not, and the usual
// fix. Most can't come from a script (bpfscript's code generator avoids them) and then point at a
// bpfscript bug; the loop, complexity, stack and helper kinds are the script's own.

import { memOperand } from './chain';
import type { Step } from './parse';

export interface Facts {
  m: RegExpExecArray;
  /** The register followed back, as the verifier names it (R0). */
  reg?: string;
  /** Its value just before the rejected instruction, in plain words. */
  value: string;
  /** The rejected instruction. */
  insn?: Step;
  /** The oldest instruction of the chain that produced the register. */
  origin?: Step;
}

export interface Kind {
  id: string;
  test: RegExp;
  why: string;
  fix: string;
  /** Which register to follow back: by default R<first number> when the message starts with one. */
  register?: (m: RegExpExecArray, insn?: Step) => string | undefined;
  /** The instruction the rejection is about, when the message names one. */
  at?: (m: RegExpExecArray) => number | undefined;
  /** What to show instead of a register's producers: one turn of the loop at `at`, or `at` and the end of the path. */
  show?: 'loop' | 'last-turn' | 'at-and-end';
  proved: (f: Facts) => string;
  unproved: (f: Facts) => string;
}

const BUG = 'this is a bpfscript code-generation bug; please report it with the script';
const from = (f: Facts) => (f.origin && f.origin !== f.insn ? ` (made by \`${f.origin.text}\` at instruction ${f.origin.index})` : '');
const baseOf = (_m: RegExpExecArray, insn?: Step) => {
  const mem = insn && memOperand(insn.text);
  return mem ? `R${mem.base.slice(1)}` : undefined;
};

export const KINDS: Kind[] = [
  {
    id: 'null-pointer',
    test: /^R(\d+) invalid mem access '(\w*_or_null)'/m,
    why: 'a pointer that may be NULL (a map lookup result) is used without checking it first',
    fix: 'check the pointer before using it; for a script this is a bpfscript bug, please report it',
    proved: (f) => `${f.reg} is ${f.value}${from(f)}`,
    unproved: (f) => `that ${f.reg} is not NULL here: nothing on this path compared it with 0`,
  },
  {
    id: 'null-arithmetic',
    test: /^R(\d+) pointer arithmetic on (\w+_or_null) prohibited/m,
    why: 'the program moves a pointer that may be NULL before checking it',
    fix: `compare the pointer with 0 first, then add to it; ${BUG}`,
    proved: (f) => `${f.reg} is ${f.value}${from(f)}`,
    unproved: (f) => `that ${f.reg} is not NULL, so an offset from it would mean nothing`,
  },
  {
    id: 'scalar-deref',
    test: /^R(\d+) invalid mem access 'scalar'/m,
    why: 'the program reads or writes memory through a plain number, not through a pointer the verifier knows',
    fix: 'read kernel or user memory with a probe read: in a script, dereference a typed pointer (*(struct task_struct *)$p), which bpfscript reads with bpf_probe_read',
    proved: (f) => `${f.reg} is ${f.value}${from(f)}`,
    unproved: (f) => `that ${f.reg} points at memory this program may touch directly`,
  },
  {
    id: 'no-return-value',
    test: /^R0 !read_ok/m,
    why: 'the program ends without setting its return value (R0)',
    fix: BUG,
    register: () => undefined,
    proved: () => 'the program reached its exit',
    unproved: () => 'that R0, the return value, was written on the way there',
  },
  {
    id: 'uninit-register',
    test: /^R(\d+) !read_ok/m,
    why: 'the program reads a register it never wrote',
    fix: BUG,
    register: () => undefined,
    proved: (f) => `R${f.m[1]} was never written on this path`,
    unproved: (f) => `that R${f.m[1]} holds a value before \`${f.insn?.text ?? 'this instruction'}\` reads it`,
  },
  {
    id: 'stack-limit',
    test: /invalid (?:write|read) to stack R10 off=-(5[1-9]\d|[6-9]\d\d|\d{4,}) size=(\d+)|combined stack size of \d+ calls is (\d+)|stack depth (\d+) exceeds/,
    why: 'the program needs more than the 512 bytes of stack a BPF program may use',
    fix: 'use smaller strings (str(x, N), or a smaller BPFSCRIPT_STRLEN), fewer variables, or fewer map keys per probe',
    register: () => undefined,
    proved: (f) => (f.m[1] ? `the instruction reaches ${f.m[1]} bytes below the frame pointer` : 'the frames on the deepest call path together'),
    unproved: () => 'that it stays within the 512 bytes every BPF program gets',
  },
  {
    id: 'infinite-loop',
    test: /infinite loop detected at insn (\d+)|back-edge from insn (\d+) to (\d+)/,
    why: 'the program contains a loop the verifier cannot prove ends',
    fix: 'bound the loop: use unroll(N) or a while loop with a constant limit on its counter',
    register: () => undefined,
    at: (m) => Number(m[1] ?? m[2]),
    show: 'loop',
    proved: (f) => `the path came back to instruction ${f.m[1] ?? f.m[3]} with exactly the registers and stack it had the time before`,
    unproved: () => 'that the loop ever ends: nothing changes from one iteration to the next',
  },
  {
    id: 'jump-complexity',
    test: /The sequence of (\d+) jumps is too complex/,
    why: 'one path through the program takes more than 8,192 branches: a loop that runs many times, each iteration checked again',
    fix: 'lower the loop\'s bound, or do less per event (e.g. one map update per event instead of one per iteration)',
    register: () => undefined,
    show: 'last-turn',
    proved: (f) => `every instruction it walked was safe, up to branch number ${f.m[1]} on one path`,
    unproved: () => 'the rest of the path: the verifier gives up rather than follow more branches',
  },
  {
    id: 'too-large',
    test: /BPF program is too large|too many states|complexity limit/,
    why: 'the program has too many paths for the verifier to check (1 million instructions walked)',
    fix: 'make it simpler: fewer unrolled iterations, fewer branches, or split it over several probes',
    register: () => undefined,
    show: 'last-turn',
    proved: () => 'every path it walked, up to the limit',
    unproved: () => 'the remaining paths: it stops after walking a million instructions',
  },
  {
    id: 'jump-out-of-range',
    test: /jump out of range from insn (\d+) to (-?\d+)/,
    why: 'a jump leads outside the program',
    fix: BUG,
    register: () => undefined,
    proved: (f) => `instruction ${f.m[1]} jumps to instruction ${f.m[2]}`,
    unproved: () => 'that the target is an instruction of this program',
  },
  {
    id: 'unreachable',
    test: /unreachable insn (\d+)/,
    why: 'the program contains an instruction no path reaches',
    fix: BUG,
    register: () => undefined,
    proved: (f) => `no jump or fall-through reaches instruction ${f.m[1]}`,
    unproved: () => 'that every instruction is live: the verifier refuses dead code',
  },
  {
    id: 'no-exit',
    test: /last insn is not an exit or jmp/,
    why: 'the program can run past its last instruction',
    fix: BUG,
    register: () => undefined,
    proved: () => 'the last instruction neither returns nor jumps',
    unproved: () => 'where execution goes after it',
  },
  {
    id: 'frame-pointer-write',
    test: /frame pointer is read only/,
    why: 'the program writes to R10, the stack frame pointer',
    fix: BUG,
    register: () => undefined,
    proved: (f) => `\`${f.insn?.text ?? ''}\` assigns to R10`,
    unproved: () => 'that the stack stays addressable: R10 may only be read',
  },
  {
    id: 'context-access',
    test: /invalid bpf_context access off=(\d+) size=(\d+)|invalid access to context/,
    why: 'the program reads a field of the probe context this program type does not allow',
    fix: 'use the probe\'s own arguments (args, argN) rather than raw context offsets',
    register: baseOf,
    proved: (f) => `${f.reg ?? 'the register'} is ${f.value}`,
    unproved: (f) => `that ${f.m[2] ?? 'these'} bytes at offset ${f.m[1] ?? '?'} are a field this program type may read`,
  },
  {
    id: 'modified-context',
    test: /dereference of modified ctx ptr R(\d+) off=(-?\d+) disallowed/,
    why: 'the program reads the context through a moved copy of its pointer',
    fix: `read the field at its offset from the context pointer itself; ${BUG}`,
    register: (m) => `R${m[1]}`,
    proved: (f) => `${f.reg} is ${f.value}${from(f)}`,
    unproved: () => 'which field a moved context pointer reads: the kernel rewrites context reads by their offset from the start',
  },
  {
    id: 'helper-not-allowed',
    test: /program of this type cannot use helper (\w+)#(\d+)/,
    why: 'the program calls a kernel helper that this probe type may not use',
    fix: 'call the function from a probe type that allows it (override() only in kprobes, signal() not in BEGIN/END)',
    register: () => undefined,
    proved: (f) => `the program calls ${f.m[1]} (helper ${f.m[2]})`,
    unproved: () => 'that this program type may call it: each type has its own list of helpers',
  },
  {
    id: 'unknown-helper',
    test: /(?:invalid|unknown) func (\w+)#(\d+)/,
    why: 'the program calls a kernel helper that this kernel does not have',
    fix: 'use a newer kernel, or a function that does not need this helper',
    register: () => undefined,
    proved: (f) => `the program calls helper number ${f.m[2]}`,
    unproved: () => 'that this kernel knows that helper',
  },
  {
    id: 'gpl-only',
    test: /cannot call GPL-restricted function/,
    why: 'a GPL-only helper is called from a program without a GPL licence',
    fix: 'this is a bpfscript bug (programs are GPL); please report it',
    register: () => undefined,
    proved: (f) => `the program calls \`${f.insn?.text.replace(/^call /, '') ?? 'a helper'}\``,
    unproved: () => 'that the program\'s licence allows it: only GPL-compatible programs may call it',
  },
  {
    id: 'map-value-bounds',
    test: /invalid access to map value, value_size=(\d+) off=(-?\d+) size=(\d+)/,
    why: 'an access reaches outside the map value it points into',
    fix: 'clamp the index to the buffer size before using it (e.g. $i & 0xff, or an if test)',
    register: baseOf,
    proved: (f) => `${f.reg ?? 'the pointer'} is ${f.value}${from(f)}, and the value is ${f.m[1]} bytes long`,
    unproved: (f) => `that ${f.m[3]} bytes at offset ${f.m[2]} stay inside those ${f.m[1]} bytes (they end at byte ${Number(f.m[2]) + Number(f.m[3])})`,
  },
  {
    id: 'unbounded-offset',
    test: /math between (\w+) pointer and register with unbounded min value is not allowed|^R(\d+) unbounded memory access, make sure to bounds check/m,
    why: 'an offset of unknown size is added to a pointer',
    fix: 'bound the offset before adding it: $i & 0xff, or if ($i < N)',
    register: (m, insn) => (m[2] ? `R${m[2]}` : /^r\d+ \+= (r\d+)$/.exec(insn?.text ?? '')?.[1]?.replace('r', 'R')),
    proved: (f) => `the offset ${f.reg ?? ''} is ${f.value}${from(f)}`,
    unproved: (f) => `that the offset keeps the ${f.m[1] ? f.m[1].replace(/_/g, ' ') : ''} pointer inside its object`,
  },
  {
    id: 'helper-size',
    test: /^R(\d+) min value is negative, either use unsigned|^R(\d+) unbounded memory access, use 'var &= const'/m,
    why: 'a size passed to a kernel helper has no known upper bound',
    fix: 'bound the size before the call: $n & 0xff, or if ($n < N), or a constant size',
    register: (m) => `R${m[1] ?? m[2]}`,
    proved: (f) => `the size ${f.reg} is ${f.value}${from(f)}`,
    unproved: (f) => `that ${f.reg} is at least 0 and fits the buffer \`${f.insn?.text ?? 'the call'}\` writes`,
  },
  {
    id: 'helper-argument-type',
    test: /^R(\d+) type=(\w+) expected=(.+)$/m,
    why: 'a kernel helper gets an argument of the wrong kind',
    fix: BUG,
    proved: (f) => `${f.reg} is ${f.value}${from(f)}, to the verifier a ${f.m[2]}`,
    unproved: (f) => `that ${f.reg} is what the helper needs there: ${f.m[3]}`,
  },
  {
    id: 'reference-leak',
    test: /Unreleased reference id=(\d+) alloc_insn=(\d+)/,
    why: 'something taken from the kernel (reserved ring-buffer space, a task or socket reference) is not given back on every path',
    fix: `submit or discard every reserved record, release every reference, on every path; ${BUG}`,
    register: () => undefined,
    at: (m) => Number(m[2]),
    show: 'at-and-end',
    proved: (f) => `instruction ${f.m[2]} took reference ${f.m[1]}`,
    unproved: () => 'that it is released before the program exits',
  },
  {
    id: 'return-value-range',
    test: /At program exit the register R0 has (.*) should have been in (.*)$/m,
    why: 'the program returns a value this program type does not allow',
    fix: BUG,
    register: () => 'R0',
    proved: (f) => `R0 is ${f.value}${from(f)}`,
    unproved: (f) => `that R0 is in ${f.m[2]}, the values this program type may return`,
  },
  {
    id: 'uninit-stack',
    test: /invalid indirect read from stack R(\d+) off (-?\d+)|invalid read from stack R(\d+) off=(-?\d+)/,
    why: 'the program reads memory or a register it never wrote',
    fix: BUG,
    register: () => undefined,
    proved: (f) => `nothing on this path wrote the stack at fp${f.m[2] ?? f.m[4]}`,
    unproved: () => 'what it holds: only a program loaded with CAP_PERFMON may read stack it never wrote',
  },
  {
    id: 'pointer-arithmetic',
    test: /^R(\d+) pointer (?:[-+*/|&^]|<<|>>)?=? ?pointer prohibited|^R(\d+) pointer arithmetic with .* operator prohibited|^R(\d+) (?:bitwise|32-bit pointer) .*prohibited/m,
    why: 'the program combines two pointers, or a pointer with an operation that makes it meaningless',
    fix: BUG,
    register: (m) => `R${m[1] ?? m[2] ?? m[3]}`,
    proved: (f) => `${f.reg} is ${f.value}${from(f)}`,
    unproved: (f) => `what \`${f.insn?.text ?? 'the operation'}\` would point at: only adding or subtracting a number keeps a pointer a pointer`,
  },
  {
    id: 'pointer-leak',
    test: /^R(\d+) leaks addr (?:as return value|into (\w+))/m,
    why: 'a kernel address would leave the program (as its return value, or into a map)',
    fix: 'run as root (CAP_PERFMON allows it); kernel addresses are hidden from unprivileged programs',
    proved: (f) => `${f.reg} is ${f.value}${from(f)}`,
    unproved: () => 'that a program without CAP_PERFMON may hand out a kernel address',
  },
  {
    id: 'pointer-comparison',
    test: /^R(\d+) pointer comparison prohibited/m,
    why: 'the program compares pointers, which would tell it kernel addresses',
    fix: 'run as root (CAP_PERFMON allows it), or compare with NULL only',
    proved: (f) => `${f.reg} is ${f.value}${from(f)}, compared in \`${f.insn?.text ?? ''}\``,
    unproved: () => 'that a program without CAP_PERFMON may learn how kernel addresses relate',
  },
];
