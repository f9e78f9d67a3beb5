// A probe: its attach points (each one token, see attach-points.ts), an optional `/predicate/` and
// the block of actions.

import type * as A from '../src/ast';
import { NO_SPAN, placeholderBlock } from './ast-builder';
import type { statementRules } from './statement-rules';
import { tokens } from './tokens';

export function probeRules(Base: ReturnType<typeof statementRules>) {
  const T = tokens();

  class ProbeRules extends Base {
    probe = this.RULE(
      'probe',
      (): A.Probe => {
        const attachPoints: A.AttachPoint[] = [];
        const first = this.CONSUME(T.AttachPoint);
        this.ACTION(() => attachPoints.push(this.b.attachPoint(first)));
        this.MANY(() => {
          this.CONSUME(T.Comma);
          const t = this.CONSUME2(T.AttachPoint);
          this.ACTION(() => attachPoints.push(this.b.attachPoint(t)));
        });
        let predicate: A.Expr | null = null;
        this.OPTION(() => {
          this.CONSUME(T.PredSlash);
          predicate = this.SUBRULE(this.expr);
          this.CONSUME2(T.PredSlash);
        });
        const body = this.OR({
          DEF: [{ ALT: () => this.SUBRULE(this.block) }, { ALT: () => this.SUBRULE(this.angleBlock) }],
          ERR_MSG: "'{' to start the probe's actions",
        });
        return this.ACTION(() => ({ kind: 'Probe', attachPoints, predicate, body, span: this.b.span(first, body) }));
      },
      { recoveryValueFunc: (): A.Probe => ({ kind: 'Probe', attachPoints: [], predicate: null, body: placeholderBlock(), span: NO_SPAN }) },
    );
  }
  return ProbeRules;
}
