// The top level of a program: C definitions and preprocessor lines, the config block, imports,
// probes, macros and map declarations, and the order bpftrace wants them in.

import type { IOrAlt, IToken, ParserMethod } from 'chevrotain';
import type * as A from '../src/ast';
import { emptyProgram, NO_SPAN, placeholderBlock, placeholderMapRef, placeholderType } from './ast-builder';
import type { probeRules } from './probe-rules';
import { tokens } from './tokens';

/** What each program section must precede (index: the section of the misplaced item). */
const SECTION_AFTER = [
  'config, imports, probes, macros and map declarations',
  'probes, macros and map declarations',
  '',
];

/** The map types `let @m = TYPE(N);` may name. */
export const MAP_TYPES = ['hash', 'lruhash', 'percpuhash', 'percpulruhash'];

export function programRules(Base: ReturnType<typeof probeRules>) {
  const T = tokens();

  class ProgramRules extends Base {
    /**
     * The sections come in bpftrace's order: C definitions (preprocessor lines, `struct`s), then
     * `config` and `import`s, then probes, macros and map declarations in any order. The grammar
     * takes them in any order and the actions report what is out of place, which gives a clearer
     * message than a syntax error would.
     */
    program = this.RULE(
      'program',
      (): A.Program => {
        const prog = emptyProgram();
        let section = 0;
        const place = (node: { span: A.Span }, at: number, what: string) => {
          if (at < section) this.extra.push({ message: `${what} must come before ${SECTION_AFTER[at]}`, span: node.span });
          section = Math.max(section, at);
        };
        /** An item that is one rule: placed in its section, then kept by `add`. */
        const item = <N extends { span: A.Span }>(rule: ParserMethod<[], N>, at: number, what: string, add: (n: N) => void): IOrAlt<void> => ({
          ALT: () => {
            const n = this.SUBRULE(rule);
            this.ACTION(() => {
              place(n, at, what);
              add(n);
            });
          },
        });
        this.MANY(() =>
          this.OR([
            {
              ALT: () => {
                const t = this.CONSUME(T.Include);
                this.ACTION(() => {
                  const inc = this.b.include(t);
                  place(inc, 0, "'#include'");
                  prog.includes.push(inc);
                });
              },
            },
            {
              ALT: () => {
                const t = this.CONSUME(T.Preprocessor);
                this.ACTION(() => {
                  const pp: A.CPreprocessor = { kind: 'CPreprocessor', text: String(t.payload ?? t.image), span: this.b.span(t) };
                  place(pp, 0, 'a preprocessor line');
                  prog.preprocessor.push(pp);
                });
              },
            },
            {
              ALT: () => {
                const d = this.OR2([{ ALT: () => this.SUBRULE(this.structDef) }, { ALT: () => this.SUBRULE(this.enumDef) }]);
                this.OPTION(() => this.CONSUME(T.Semi));
                this.ACTION(() => {
                  // An anonymous enum still defines its enumerators (bpftrace 0.23+); a struct would define nothing.
                  if (d.name === '' && d.tag !== 'enum') this.extra.push({ message: `a top-level ${d.tag} definition needs a name`, span: d.span });
                  place(d, 0, `a ${d.tag} definition`);
                  prog.cDefinitions.push(d);
                });
              },
            },
            item(this.config, 1, 'the config block', (c) => {
              if (prog.config) this.extra.push({ message: 'only one config block is allowed', span: c.span });
              else prog.config = c;
            }),
            item(this.importDecl, 1, "'import'", (i) => prog.imports.push(i)),
            item(this.mapDecl, 2, 'a map declaration', (m) => prog.mapDecls.push(m)),
            item(this.macroDef, 2, 'a macro', (m) => prog.macros.push(m)),
            item(this.fnDef, 2, 'a function', (f) => prog.functions.push(f)),
            item(this.probe, 2, 'a probe', (p) => prog.probes.push(p)),
          ]),
        );
        return prog;
      },
      { recoveryValueFunc: emptyProgram },
    );

    /** `config = { key = value; … }` */
    config = this.RULE(
      'config',
      (): A.Config => {
        const kw = this.CONSUME(T.Config);
        this.CONSUME(T.Assign);
        this.CONSUME(T.LCurly);
        const entries: A.ConfigEntry[] = [];
        this.MANY(() => {
          const key = this.CONSUME(T.FieldName);
          this.CONSUME2(T.Assign);
          const value = this.SUBRULE(this.expr);
          this.ACTION(() => entries.push({ kind: 'ConfigEntry', key: key.image, value, span: this.b.span(key, value) }));
          this.separatorOrClose(T.Semi, "!expected ';' or '}' after a config setting");
        });
        const close = this.CONSUME(T.RCurly);
        let last: IToken = close;
        this.OPTION(() => (last = this.CONSUME2(T.Semi)));
        return this.ACTION((): A.Config => ({ kind: 'Config', entries, span: this.b.span(kw, last) }));
      },
      { recoveryValueFunc: (): A.Config => ({ kind: 'Config', entries: [], span: NO_SPAN }) },
    );

    /** `import "path";` */
    importDecl = this.RULE(
      'importDecl',
      (): A.Import => {
        const kw = this.CONSUME(T.Import);
        const path = this.CONSUME(T.String);
        const semi = this.CONSUME(T.Semi);
        return this.ACTION((): A.Import => ({ kind: 'Import', path: String(path.payload ?? ''), span: this.b.span(kw, semi) }));
      },
      { recoveryValueFunc: (): A.Import => ({ kind: 'Import', path: '', span: NO_SPAN }) },
    );

    /** `let @name = hash(N);` */
    mapDecl = this.RULE(
      'mapDecl',
      (): A.MapDecl => {
        const kw = this.CONSUME(T.Let);
        const name = this.CONSUME(T.MapName);
        this.CONSUME(T.Assign);
        const type = this.CONSUME(T.Identifier);
        this.CONSUME(T.LParen);
        const size = this.CONSUME(T.Int);
        this.CONSUME(T.RParen);
        const semi = this.CONSUME(T.Semi);
        return this.ACTION((): A.MapDecl => {
          if (!MAP_TYPES.includes(type.image)) {
            this.extra.push({ message: `unknown map type '${type.image}'`, span: this.b.span(type), hint: `map types: ${MAP_TYPES.join(', ')}` });
          }
          const maxEntries = typeof size.payload === 'bigint' ? size.payload : 0n;
          if (maxEntries === 0n) this.extra.push({ message: 'a map needs room for at least one entry', span: this.b.span(size) });
          return { kind: 'MapDecl', map: this.b.mapRef(name, []), mapType: type.image, maxEntries, span: this.b.span(kw, semi) };
        });
      },
      { recoveryValueFunc: (): A.MapDecl => ({ kind: 'MapDecl', map: placeholderMapRef(), mapType: '', maxEntries: 0n, span: NO_SPAN }) },
    );

    /** `macro name($a, b, @m) { stmts; value }`; the parameter list may be left out. */
    macroDef = this.RULE(
      'macroDef',
      (): A.Macro => {
        const kw = this.CONSUME(T.Macro);
        const name = this.CONSUME(T.Identifier);
        const params: A.MacroParam[] = [];
        this.OPTION(() => {
          this.CONSUME(T.LParen);
          this.MANY_SEP({
            SEP: T.Comma,
            DEF: () => {
              const t = this.OR({
                DEF: [{ ALT: () => this.CONSUME(T.Variable) }, { ALT: () => this.CONSUME2(T.Identifier) }, { ALT: () => this.CONSUME(T.MapName) }],
                ERR_MSG: "a parameter: '$var', 'name' or '@map'",
              });
              this.ACTION(() => {
                const sigil = t.image[0] === '$' || t.image[0] === '@' ? (t.image[0] as '$' | '@') : '';
                if (sigil === '@' && t.image.length === 1) this.extra.push({ message: 'a macro parameter needs a name', span: this.b.span(t) });
                params.push({ kind: 'MacroParam', sigil, name: sigil ? t.image.slice(1) : t.image, span: this.b.span(t) });
              });
            },
          });
          this.CONSUME(T.RParen);
        });
        const body = this.SUBRULE(this.valueBlock);
        return this.ACTION((): A.Macro => ({
          kind: 'Macro',
          name: name.image,
          nameSpan: this.b.span(name),
          params,
          body: { kind: 'Block', stmts: body.stmts, span: body.span },
          value: body.value,
          span: this.b.span(kw, body),
        }));
      },
      { recoveryValueFunc: (): A.Macro => ({ kind: 'Macro', name: '', nameSpan: NO_SPAN, params: [], body: placeholderBlock(), value: null, span: NO_SPAN }) },
    );

    /** `fn name($a: type, …): type { stmts }` (bpftrace 0.26). */
    fnDef = this.RULE(
      'fnDef',
      (): A.Fn => {
        const kw = this.CONSUME(T.Fn);
        const name = this.CONSUME(T.Identifier);
        const params: A.FnParam[] = [];
        this.CONSUME(T.LParen);
        this.MANY_SEP({
          SEP: T.Comma,
          DEF: () => {
            const v = this.CONSUME(T.Variable);
            this.CONSUME(T.Colon);
            const type = this.SUBRULE(this.annotationType);
            this.ACTION(() => params.push({ kind: 'FnParam', variable: this.b.variable(v), type, span: this.b.span(v, type) }));
          },
        });
        this.CONSUME(T.RParen);
        this.CONSUME2(T.Colon);
        const returnType = this.SUBRULE2(this.annotationType);
        const body = this.SUBRULE(this.block);
        return this.ACTION((): A.Fn => ({ kind: 'Fn', name: name.image, nameSpan: this.b.span(name), params, returnType, body, span: this.b.span(kw, body) }));
      },
      { recoveryValueFunc: (): A.Fn => ({ kind: 'Fn', name: '', nameSpan: NO_SPAN, params: [], returnType: placeholderType(), body: placeholderBlock(), span: NO_SPAN }) },
    );
  }
  return ProgramRules;
}
