// C definitions in a script: `struct`, `union` and `enum` bodies, with bitfields, arrays, pointers
// and members defined in place. Only their layout matters later (src/semantic/c-decls.ts).

import type { IToken } from 'chevrotain';
import type * as A from '../src/ast';
import { type CMembers, placeholderCDefinition } from './ast-builder';
import type { expressionRules } from './expression-rules';
import { tokens } from './tokens';

export function cDeclarationRules(Base: ReturnType<typeof expressionRules>) {
  const T = tokens();

  abstract class CDeclarationRules extends Base {
    /** `struct name { fields }` or `union name { fields }` at the top level. */
    structDef = this.RULE(
      'structDef',
      (): A.CDefinition => {
        const kw = this.OR([{ ALT: () => this.CONSUME(T.Struct) }, { ALT: () => this.CONSUME(T.Union) }]);
        let name = '';
        this.OPTION(() => (name = this.CONSUME(T.Identifier).image));
        const body = this.SUBRULE(this.structBody);
        const attrs: { name: IToken; value: A.Expr | null }[] = [];
        this.MANY({
          GATE: () => this.LA(1).image === '__attribute__',
          DEF: () => {
            const more = this.SUBRULE(this.cAttributes);
            this.ACTION(() => attrs.push(...more));
          },
        });
        return this.ACTION(() => {
          const d = this.b.cDefinition(kw.image as 'struct' | 'union', kw, name, body);
          for (const a of attrs) this.applyAttribute(d, a.name, a.value);
          return d;
        });
      },
      { recoveryValueFunc: () => placeholderCDefinition('struct') },
    );

    /** `__attribute__((packed, aligned(N)))` after a struct's body (bpftrace 0.24+, as clang reads it). */
    cAttributes = this.RULE('cAttributes', (): { name: IToken; value: A.Expr | null }[] => {
      const out: { name: IToken; value: A.Expr | null }[] = [];
      this.CONSUME(T.Identifier);
      this.CONSUME(T.LParen);
      this.CONSUME2(T.LParen);
      this.MANY_SEP({
        SEP: T.Comma,
        DEF: () => {
          const name = this.CONSUME2(T.Identifier);
          let value: A.Expr | null = null;
          this.OPTION(() => {
            this.CONSUME3(T.LParen);
            value = this.SUBRULE(this.expr);
            this.CONSUME(T.RParen);
          });
          this.ACTION(() => out.push({ name, value }));
        },
      });
      this.CONSUME2(T.RParen);
      this.CONSUME3(T.RParen);
      return out;
    });

    /** packed lays members out without padding; aligned(N) raises the struct's alignment; others change no layout. */
    private applyAttribute(d: A.CDefinition, name: IToken, value: A.Expr | null): void {
      const word = name.image.replace(/^__(.*)__$/, '$1');
      if (word === 'packed') d.packed = true;
      if (word !== 'aligned') return;
      if (value?.kind === 'IntLit' && value.value > 0n && (value.value & (value.value - 1n)) === 0n) d.aligned = Number(value.value);
      else this.extra.push({ message: 'aligned() takes a power of two', span: value?.span ?? this.b.span(name) });
    }

    /** `enum name { A, B = 2, }` at the top level. */
    enumDef = this.RULE(
      'enumDef',
      (): A.CDefinition => {
        const kw = this.CONSUME(T.Enum);
        let name = '';
        this.OPTION(() => (name = this.CONSUME(T.Identifier).image));
        const body = this.SUBRULE(this.enumBody);
        return this.ACTION(() => this.b.cDefinition('enum', kw, name, body));
      },
      { recoveryValueFunc: () => placeholderCDefinition('enum') },
    );

    structBody = this.RULE(
      'structBody',
      (): CMembers => {
        this.CONSUME(T.LCurly);
        const fields: A.CField[] = [];
        this.MANY(() => {
          const f = this.SUBRULE(this.cField);
          this.ACTION(() => fields.push(...f));
        });
        const close = this.CONSUME(T.RCurly);
        return { fields, close };
      },
      { recoveryValueFunc: (): CMembers => ({ fields: [], close: this.LA(0) }) },
    );

    enumBody = this.RULE(
      'enumBody',
      (): CMembers => {
        this.CONSUME(T.LCurly);
        const enumerators: A.CEnumerator[] = [];
        this.MANY(() => {
          const id = this.CONSUME(T.Identifier);
          let value: A.Expr | null = null;
          this.OPTION(() => {
            this.CONSUME(T.Assign);
            value = this.SUBRULE(this.expr);
          });
          this.ACTION(() => enumerators.push({ kind: 'CEnumerator', name: id.image, value, span: this.b.span(id, value ?? id) }));
          this.separatorOrClose(T.Comma, "!expected ',' or '}' after an enumerator");
        });
        const close = this.CONSUME(T.RCurly);
        return { enumerators, close };
      },
      { recoveryValueFunc: (): CMembers => ({ enumerators: [], close: this.LA(0) }) },
    );

    /**
     * One member declaration of a struct or union: a type, then declarators (`*name[N]: bits`)
     * separated by commas, then ';'. A struct or union defined in place may have no declarator.
     */
    cField = this.RULE(
      'cField',
      (): A.CField[] => {
        let inline: A.CDefinition | null = null;
        const defined = (d: A.CDefinition) => (inline = d);
        // Qualifiers (`const struct cred *`) change no layout: skipped before a struct/union/enum.
        this.MANY3({ GATE: () => /^(const|volatile)$/.test(this.LA(1).image) && this.LA(2).tokenType !== T.TypeName, DEF: () => this.CONSUME4(T.TypeName) });
        const type = this.OR({
          DEF: [
            {
              ALT: () => {
                const words: IToken[] = [];
                this.AT_LEAST_ONE(() => words.push(this.CONSUME(T.TypeName)));
                return this.ACTION(() => this.b.typeRef(words, 0, words[words.length - 1]!, null));
              },
            },
            {
              ALT: () => {
                const t = this.CONSUME(T.Identifier);
                return this.ACTION(() => this.b.typeRef([t], 0, t, null));
              },
            },
            {
              ALT: () => {
                const kw = this.OR2([{ ALT: () => this.CONSUME(T.Struct) }, { ALT: () => this.CONSUME(T.Union) }]);
                return this.taggedMemberType(kw, 1, () => this.SUBRULE(this.structBody), defined);
              },
            },
            { ALT: () => this.taggedMemberType(this.CONSUME(T.Enum), 3, () => this.SUBRULE(this.enumBody), defined) },
          ],
          ERR_MSG: 'a member type',
        });
        const fields: A.CField[] = [];
        this.MANY_SEP({
          SEP: T.Comma,
          DEF: () => {
            let stars = 0;
            let first: IToken | undefined;
            this.MANY(() => {
              const s = this.CONSUME(T.Star);
              first ??= s;
              stars++;
            });
            const id = this.CONSUME(T.FieldName);
            let last: IToken = id;
            const dims: number[] = [];
            this.MANY2(() => {
              this.CONSUME(T.LBracket);
              const n = this.CONSUME(T.Int);
              last = this.CONSUME(T.RBracket);
              this.ACTION(() => dims.push(Number(n.payload ?? 0)));
            });
            let bits: number | null = null;
            this.OPTION5(() => {
              this.CONSUME(T.Colon);
              const n = this.CONSUME2(T.Int);
              last = n;
              this.ACTION(() => (bits = Number(n.payload ?? 0)));
            });
            this.ACTION(() =>
              fields.push({ kind: 'CField', type, inline, name: id.image, pointerDepth: stars, arrayLengths: dims, bitWidth: bits, span: this.b.span(first ?? id, last) }),
            );
          },
        });
        // As in C compilers bpftrace 0.17 relies on (clang), the last member may omit its ';'.
        let semi: IToken | undefined;
        this.OR9({
          DEF: [{ ALT: () => (semi = this.CONSUME9(T.Semi)) }, { GATE: () => this.LA(1).tokenType === T.RCurly, ALT: () => undefined }],
          ERR_MSG: "';' after a struct member",
        });
        return this.ACTION(() => {
          semi ??= this.LA(1);
          if (fields.length > 0) return fields;
          // `int;` declares nothing; an anonymous struct or union merges its members into the parent.
          if (!inline || (inline as A.CDefinition).tag === 'enum') this.extra.push({ message: 'expected a member name', span: this.b.span(semi) });
          return [{ kind: 'CField', type, inline, name: '', pointerDepth: 0, arrayLengths: [], bitWidth: null, span: this.b.span(type, semi) }];
        });
      },
      { recoveryValueFunc: (): A.CField[] => [] },
    );

    /**
     * A member's type that names a struct, union or enum, defines one in place, or both
     * (`struct s { … } x;`). Struct/union and enum each call this once in cField, so `idx` keeps
     * their OPTION/CONSUME occurrences apart, as chevrotain requires within one rule.
     */
    private taggedMemberType(kw: IToken, idx: number, parseBody: () => CMembers, defined: (d: A.CDefinition) => void): A.TypeRef {
      let name: IToken | undefined;
      this.option(idx, () => (name = this.consume(idx, T.Identifier)));
      let body: CMembers | undefined;
      this.option(idx + 1, () => (body = parseBody()));
      return this.ACTION(() => {
        const tag = kw.image as A.CDefinition['tag'];
        if (body) defined(this.b.cDefinition(tag, kw, name?.image ?? '', body));
        else if (!name) this.extra.push({ message: `expected a name or '{' after '${tag}'`, span: this.b.span(kw) });
        return this.b.typeRef(name ? [kw, name] : [kw], 0, body?.close ?? name ?? kw, null);
      });
    }
  }
  return CDeclarationRules;
}
