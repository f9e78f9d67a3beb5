// "Did you mean …?" for names the user got almost right: probe types, tracepoints, builtins,
// functions, fields, maps. Edit distance with transpositions, because the usual slips are one
// missing, extra, swapped or wrong letter ("tracpoint", "cmmo", "sys_enter_opneat").

/** Optimal string alignment distance: Levenshtein plus the swap of two adjacent characters. */
export function editDistance(a: string, b: string, limit = Infinity): number {
  if (Math.abs(a.length - b.length) > limit) return limit + 1;
  let prev2: number[] = [];
  let prev: number[] = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    let best = i;
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let d = Math.min(prev[j] + 1, row[j - 1] + 1, prev[j - 1] + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d = Math.min(d, prev2[j - 2] + 1);
      row.push(d);
      best = Math.min(best, d);
    }
    // Every later row is at least this row's minimum: stop early once nothing can come in range.
    if (best > limit) return limit + 1;
    prev2 = prev;
    prev = row;
  }
  return prev[b.length];
}

/** How far a candidate may be from what was typed: short names tolerate one slip, long ones more. */
function tolerance(word: string): number {
  return Math.max(1, Math.min(4, Math.floor(word.length / 3)));
}

/**
 * The closest candidates to `word`, best first, at most `max` of them. Case differences alone
 * count as a match (distance 0.5) so `begin` finds `BEGIN`.
 */
export function suggest(word: string, candidates: Iterable<string>, max = 3): string[] {
  const limit = tolerance(word);
  const scored: { name: string; d: number }[] = [];
  const seen = new Set<string>();
  for (const c of candidates) {
    if (c === word || seen.has(c)) continue;
    seen.add(c);
    const d = c.toLowerCase() === word.toLowerCase() ? 0.5 : editDistance(word, c, limit);
    if (d <= limit) scored.push({ name: c, d });
  }
  scored.sort((x, y) => x.d - y.d || (x.name < y.name ? -1 : x.name > y.name ? 1 : 0));
  // Only the best distance, so one close match is not drowned by several poorer ones.
  const best = scored[0]?.d;
  return scored.filter((s) => s.d === best).slice(0, max).map((s) => s.name);
}

/** A hint line ("did you mean 'comm'?"), or undefined when nothing is close. */
export function didYouMean(word: string, candidates: Iterable<string>, quote = (s: string) => `'${s}'`): string | undefined {
  const found = suggest(word, candidates);
  if (found.length === 0) return undefined;
  const list = found.map(quote);
  const words = list.length === 1 ? list[0] : `${list.slice(0, -1).join(', ')} or ${list[list.length - 1]}`;
  return `did you mean ${words}?`;
}

/** Joins an optional suggestion with an optional further hint, for Diagnostic.hint. */
export function withSuggestion(suggestion: string | undefined, rest: string | undefined): string | undefined {
  if (suggestion && rest) return `${suggestion} (${rest})`;
  return suggestion ?? rest;
}
