// The macros a program can call, by name and signature, as bpftrace 0.26 chooses among them. A
// parameter's sigil says what it takes: `$x` a variable (which the macro may change), `@m` a map,
// a bare `x` any expression. Overloads differ in count or in those kinds; the first exact match
// wins, a user's macro over the standard library's.

import type { Expr, Macro, MacroParam, Span } from '../ast';
import type { DiagnosticBag } from '../../common/diagnostics';
import { builtins } from '../functions';
import { joinSpans } from './ast-copy';

type Kind = MacroParam['sigil'];

/** What a call passes: a variable, a map (without keys), or an expression. */
export function argKind(e: Expr): Kind {
  if (e.kind === 'Variable') return '$';
  if (e.kind === 'MapRef' && e.keys.length === 0) return '@';
  return '';
}

/** `macro name`: where bpftrace points at a definition. */
export function macroSpan(m: Macro): Span {
  return joinSpans(m.span, m.nameSpan);
}

const sigilWord: Record<Kind, string> = { $: 'a variable', '@': 'a map', '': 'an expression' };

/** Far apart in argument count first, then one step per argument of the wrong kind. */
function distance(m: Macro, kinds: Kind[]): number {
  let d = 1024 * Math.abs(m.params.length - kinds.length);
  for (let i = 0; i < Math.min(m.params.length, kinds.length); i++) {
    const want = m.params[i].sigil;
    if (want !== '' && want !== kinds[i]) d++;
  }
  return d;
}

export type Lookup = { macro: Macro } | { closest: Macro[] };

export class MacroRegistry {
  private readonly byName = new Map<string, Macro[]>();

  /** Registers the standard library's macros first, then the program's; bad definitions are reported and left out. */
  constructor(macros: Macro[], diags: DiagnosticBag) {
    for (const m of macros) {
      const same = this.lookup(m.name, m.params.map((p) => p.sigil), !!m.stdlib);
      if ('macro' in same) {
        diags.error(`Redefinition of macro: ${m.name}`, macroSpan(m));
        diags.error('This is the original definition.', macroSpan(same.macro));
        continue;
      }
      if (!valid(m, diags)) continue;
      this.byName.set(m.name, [...(this.byName.get(m.name) ?? []), m]);
    }
  }

  has(name: string): boolean {
    return this.byName.has(name);
  }

  /** `onlyStdlib`: a standard library macro calls only its own kind, whatever the user defined. */
  lookup(name: string, kinds: Kind[], onlyStdlib?: boolean): Lookup {
    let min = Infinity;
    let closest: Macro[] = [];
    let user: Macro | undefined;
    let stdlib: Macro | undefined;
    for (const m of this.byName.get(name) ?? []) {
      if (onlyStdlib !== undefined && !!m.stdlib !== onlyStdlib) continue;
      const d = distance(m, kinds);
      if (d === 0) {
        if (m.stdlib) stdlib ??= m;
        else user ??= m;
      }
      if (d < min) {
        min = d;
        closest = [];
      }
      if (d === min) closest.push(m);
    }
    const found = user ?? stdlib;
    return found ? { macro: found } : { closest };
  }
}

function valid(m: Macro, diags: DiagnosticBag): boolean {
  const seen = new Set<string>();
  for (const p of m.params) {
    const what = p.sigil === '$' ? 'Variable' : p.sigil === '@' ? 'Map' : 'Ident';
    if (seen.has(p.sigil + p.name)) {
      diags.error(`${what} for macro argument has already been used: ${p.sigil}${p.name}`, p.span);
      return false;
    }
    seen.add(p.sigil + p.name);
    if (p.sigil === '' && (builtins.has(p.name) || p.name === 'args')) {
      diags.error(`builtin '${p.name}' can't be used as a macro argument`, p.span, 'name the parameter something else');
      return false;
    }
  }
  return true;
}

/** bpftrace's report of a call that matches no definition, pointing at the closest one. */
export function reportMismatch(diags: DiagnosticBag, name: string, site: Span, args: Expr[], closest: Macro): void {
  diags.error(`Call to ${name}() has arguments that do not match any definition.`, site);
  if (closest.params.length !== args.length) {
    diags.error(`The closest definition of ${closest.name}() has a different number of arguments. Expected: ${closest.params.length} but got ${args.length}`, macroSpan(closest));
    return;
  }
  closest.params.forEach((p, i) => {
    const got = argKind(args[i]);
    if (p.sigil === '' || p.sigil === got) return;
    diags.error(`Mismatched arg. ${closest.name}() expects ${sigilWord[p.sigil]} for arg ${p.sigil}${p.name} but got ${sigilWord[got]}.`, args[i].span);
    diags.error('This is the argument in the closest definition.', p.span);
  });
}
