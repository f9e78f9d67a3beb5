import type { AttachPoint } from '../ast';
import { error } from '../diagnostics';
import { listTracepoints, readFormat, tracefsMissing, tracefsRoot } from '../kernel/tracefs';
import { didYouMean, withSuggestion } from '../suggest';
import type { ExpandedProbe, ProbeType } from './types';

function wildcardRegex(pattern: string): RegExp {
  const body = pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.');
  return new RegExp(`^${body}$`);
}

/** Near misses from tracefs: within the category when it exists (the usual slip is in the event). */
function nearTracepoints(category: string, name: string): string | undefined {
  const all = listTracepoints();
  const inCategory = all.filter((t) => t.startsWith(`${category}:`));
  const near = inCategory.length > 0
    ? didYouMean(name, inCategory.map((t) => t.slice(category.length + 1)), (n) => `tracepoint:${category}:${n}`)
    : didYouMean(`${category}:${name}`, all, (t) => `tracepoint:${t}`);
  return near;
}

function expandOne(ap: AttachPoint, category: string, name: string): ExpandedProbe {
  const format = readFormat(category, name);
  if (!format) {
    throw error(
      `tracepoint not found: ${category}:${name}`,
      ap.span,
      tracefsRoot()
        ? withSuggestion(nearTracepoints(category, name), 'list tracepoints with: bpfscript -l "tracepoint:*"')
        : tracefsMissing(),
    );
  }
  return {
    provider: 'tracepoint',
    name: `tracepoint:${category}:${name}`,
    section: `tracepoint/${category}/${name}`,
    attach: { category, name },
    format,
    ap,
  };
}

export const tracepoint: ProbeType = {
  name: 'tracepoint',
  aliases: ['t'],
  expand(ap) {
    if (ap.parts.length !== 2 || !ap.parts[0] || !ap.parts[1]) {
      throw error(`tracepoint probe must be tracepoint:category:event, got ${ap.raw}`, ap.span);
    }
    const [category, name] = ap.parts;
    if (!/[*?]/.test(category + name)) return [expandOne(ap, category, name)];
    const re = wildcardRegex(`${category}:${name}`);
    const matches = listTracepoints().filter((t) => re.test(t));
    if (matches.length === 0) throw error(`no tracepoint matches ${category}:${name}`, ap.span);
    return matches.map((m) => {
      const [c, n] = m.split(':');
      return expandOne(ap, c, n);
    });
  },
  argsType(p) {
    return { kind: 'args', probe: p.name };
  },
};
