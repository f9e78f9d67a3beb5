// IR for statements: a probe's program from its guard, predicate and body, then each statement.
// Loops over maps and ranges are loops.ts's, map updates map-access.ts's.

import type { AssignVar, Block as AstBlock, Stmt } from '../ast';
import { sizeOf } from '../../common/types';
import { IntPredicate, type Val } from './llvm';
import type { ProbeEmitter } from './emit-context';
import { arith, emitExpr } from './expressions';
import { forMap } from './loops';
import { assignMap } from './map-access';
import { readVar, varSlot } from './slots';

/** Goes on in a block named `go` where `cond` holds; elsewhere the program returns 0 (block `stop`). */
function goOnIf(em: ProbeEmitter, cond: Val, go: string, stop: string): void {
  const { b } = em;
  const yes = b.appendBlock(em.parts.fn, go);
  const no = b.appendBlock(em.parts.fn, stop);
  b.condBr(cond, yes, no);
  b.positionAtEnd(no);
  b.ret(em.c.constInt(em.c.int(32), 0));
  b.positionAtEnd(yes);
}

/** One attach point's program: the probe type's guard, the predicate, the body, then the slots block. */
export function emitProgram(em: ProbeEmitter): void {
  const { b } = em;
  const body = b.appendBlock(em.parts.fn, 'body');
  b.positionAtEnd(body);
  em.at(em.p.probe.span);
  // After exit() an attached probe returns at once; BEGIN, END and the other probes user space runs
  // itself still run.
  if (em.g.exited && !em.p.type.runOnce) goOnIf(em, b.icmp(IntPredicate.EQ, b.load(em.i64, em.g.exited), em.constInt(0)), 'running', 'exited');
  // The probe type's own precondition (src/probes/types.ts guard), before the user's predicate.
  const guard = em.p.type.guard;
  if (guard) goOnIf(em, guard(em, em.probe), 'guarded', 'unguarded');
  const pred = em.p.probe.predicate;
  if (pred) {
    em.at(pred.span);
    goOnIf(em, em.truthy(emitExpr(em, pred).v), 'pass', 'filtered');
  }
  block(em, em.p.probe.body);
  if (!b.terminated) b.ret(em.c.constInt(em.c.int(32), 0));
  // The slots block collected every stack slot and its zeroing; only now can it end.
  b.positionAtEnd(em.allocaBlock);
  em.at(em.p.probe.span);
  if (em.scratchSlot) em.initScratch(body);
  else b.br(body);
}

export function block(em: ProbeEmitter, blk: AstBlock): void {
  for (const s of blk.stmts) stmt(em, s);
}

function stmt(em: ProbeEmitter, s: Stmt): void {
  em.at(s.span);
  switch (s.kind) {
    case 'ExprStmt':
      emitExpr(em, s.expr);
      return;
    case 'AssignMap':
      return assignMap(em, s);
    case 'AssignVar':
      return assignVar(em, s);
    case 'If': {
      const { b } = em;
      const then = b.appendBlock(em.parts.fn, 'then');
      const els = b.appendBlock(em.parts.fn, 'else');
      const done = b.appendBlock(em.parts.fn, 'endif');
      b.condBr(em.truthy(emitExpr(em, s.cond).v), then, els);
      b.positionAtEnd(then);
      block(em, s.then);
      if (!b.terminated) b.br(done);
      b.positionAtEnd(els);
      if (s.else) block(em, s.else);
      if (!b.terminated) b.br(done);
      b.positionAtEnd(done);
      return;
    }
    case 'While': {
      const { b } = em;
      const cond = b.appendBlock(em.parts.fn, 'while_cond');
      const body = b.appendBlock(em.parts.fn, 'while_body');
      const done = b.appendBlock(em.parts.fn, 'while_end');
      b.br(cond);
      b.positionAtEnd(cond);
      b.condBr(em.truthy(emitExpr(em, s.cond).v), body, done);
      b.positionAtEnd(body);
      em.loops.push({ brk: done, cont: cond });
      block(em, s.body);
      em.loops.pop();
      if (!b.terminated) b.br(cond);
      b.positionAtEnd(done);
      return;
    }
    case 'Unroll': {
      const n = em.a.constants.get(s.count)!;
      for (let i = 0; i < n; i++) block(em, s.body);
      return;
    }
    case 'For':
      return forMap(em, s);
    case 'Jump': {
      const { b } = em;
      if (s.jump === 'return') {
        em.returnFromProgram();
        return;
      }
      const loop = em.loops[em.loops.length - 1];
      b.br(s.jump === 'break' ? loop.brk : loop.cont);
      // Statements after a jump are dead but still need a block to be emitted into.
      b.positionAtEnd(b.appendBlock(em.parts.fn, `after_${s.jump}`));
      return;
    }
    case 'Let': {
      // `let $x;` zeroes $x here, as bpftrace 0.22+ starts each declaration at 0; a variable never
      // assigned has no type and no slot.
      const t = em.p.variables.get(s.variable.name);
      if (t) em.b.memset(varSlot(em, s.variable.name), 0, t.kind === 'int' ? 8 : Math.max(sizeOf(t), 8));
      return;
    }
    default:
      throw new Error(`internal: statement ${(s as { kind: string }).kind} reached codegen`);
  }
}

function assignVar(em: ProbeEmitter, s: AssignVar): void {
  const t = em.p.variables.get(s.variable.name) ?? em.typeOf(s.variable);
  const slot = varSlot(em, s.variable.name);
  let value = emitExpr(em, s.value);
  if (s.op) {
    const cur = readVar(em, s.variable.name, t);
    value = { type: value.type, v: arith(em, s.op, cur.v, value.v, cur.type, value.type) };
  }
  if (t.kind === 'string' || t.kind === 'tuple') em.b.memset(slot, 0, sizeOf(t));
  em.storeValue(value, slot, t.kind === 'int' ? { ...t, bits: 64 } : t);
}
