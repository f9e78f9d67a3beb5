// Summaries of repeated measurements. Medians, because this shared 2-core machine has outliers.

export function median(xs: number[]): number {
  const s = xs.filter((x) => Number.isFinite(x)).sort((a, b) => a - b);
  if (s.length === 0) return NaN;
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

export function fmt(x: number, digits = 3): string {
  if (!Number.isFinite(x)) return 'n/a';
  return Number(x.toPrecision(digits)).toString();
}

export function ratio(a: number, b: number): number {
  return b === 0 ? NaN : a / b;
}
