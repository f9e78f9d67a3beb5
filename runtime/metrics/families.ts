// The script's maps as Prometheus metric families, read afresh at each scrape. What each
// aggregation becomes is its own module's `metrics` member (AggregateDef.metrics); plain values
// are gauges when numeric and `_info` series (value 1, the text in a `value` label) otherwise.
// The families are handed to prom-client's registry, which writes either text format.

import { aggregates, type AggregateDef, type AggregateMetrics, type MapData, type MetricField } from '../../src/functions';
import type { MapMeta, MetricsMeta } from '../../src/compiled';
import type { AggType, StringType, Type, Value } from '../../common/types';
import { formatOf } from '../../src/functions';
import { formatKeyPart, formatValue, keyParts } from '../format/values';

export const DEFAULT_PREFIX = 'bpfscript_';

type Labels = Record<string, string>;
export interface Sample {
  value: number;
  labels: Labels;
  /** The sample's own name when it is not the family's (histogram _bucket, _count). */
  metricName?: string;
  sharedLabels?: Labels;
}

/**
 * Given to every sample: prom-client caches the text of a sample's sharedLabels by object, and
 * makes a new empty one per sample when there is none (a tenth of a 100,000-series scrape).
 */
const NO_SHARED_LABELS: Labels = Object.freeze({}) as Labels;

/** One family in the shape prom-client's Registry reads: `get()` returns its samples. */
export class Family {
  /** prom-client's rule for merging a Node cluster's workers: there is one process here. */
  readonly aggregator = 'first';
  samples: Sample[] = [];
  constructor(
    public name: string,
    readonly type: 'counter' | 'gauge' | 'histogram',
    readonly help: string,
  ) {}
  get(): { name: string; help: string; type: string; values: Sample[]; aggregator: string } {
    return { name: this.name, help: this.help, type: this.type, values: this.samples, aggregator: this.aggregator };
  }
  reset(): void {
    this.samples = [];
  }
}

/** How one map turns into families; made once, so that histogram bucket ranges persist across scrapes. */
export class MapView {
  readonly families: Family[] = [];
  private readonly labelNames: string[];
  private readonly parts: Type[] | null;
  private readonly agg: AggregateDef | undefined;
  /** Trimmed histograms: the lowest and highest bucket ever filled, so each scrape shows the same buckets. */
  private lo = Infinity;
  private hi = -1;

  constructor(
    private readonly meta: MapMeta,
    settings: MetricsMeta | undefined,
  ) {
    const base = (settings?.prefix ?? DEFAULT_PREFIX) + (meta.name === '@' ? 'map' : meta.name.slice(1));
    this.parts = keyParts(meta.keyType);
    this.labelNames = settings?.labels?.[meta.name] ?? (this.parts === null ? [] : this.parts.length === 1 ? ['key'] : this.parts.map((_, i) => `key${i}`));
    this.agg = meta.aggregate ? aggregates.get(meta.aggregate) : undefined;
    const m = this.agg?.metrics;
    const what = this.agg ? `${this.agg.name}()` : 'value';
    const help = `bpfscript map ${meta.name}: ${what}${this.labelNames.length ? ` by ${this.labelNames.join(', ')}` : ''}`;
    if (m?.type === 'histogram') this.families.push(new Family(base, 'histogram', help));
    else if (m) for (const f of m.fields) this.families.push(new Family(m.type === 'counter' ? `${base}${f.suffix}_total` : `${base}${f.suffix}`, m.type, `bpfscript map ${meta.name}: ${f.help}`));
    else if (this.agg) return; // an aggregation with no Prometheus view: not exposed
    else if (numeric(meta.valueType)) this.families.push(new Family(base, 'gauge', help));
    else this.families.push(new Family(`${base}_info`, 'gauge', `${help} (the value is the "value" label)`));
  }

  /** Replaces the families' samples with the map's current entries. */
  fill(data: MapData): void {
    for (const f of this.families) f.reset();
    if (!this.families.length) return;
    const m = this.agg?.metrics;
    const t = this.meta.valueType as AggType;
    if (m?.type === 'histogram') return this.fillHistogram(data, m, t);
    const fields = m?.fields;
    for (const e of data.entries) {
      const labels = this.labels(e.key);
      if (fields) fields.forEach((f: MetricField, i) => this.families[i].samples.push({ value: f.value(e.value as never, t), labels, sharedLabels: NO_SHARED_LABELS }));
      else if (numeric(this.meta.valueType)) this.families[0].samples.push({ value: numberOf(this.meta.valueType, e.value as Value), labels, sharedLabels: NO_SHARED_LABELS });
      else this.families[0].samples.push({ value: 1, labels: { ...labels, value: labelText(this.meta.valueType, e.value as Value, false) }, sharedLabels: NO_SHARED_LABELS });
    }
  }

  private fillHistogram(data: MapData, m: Extract<AggregateMetrics, { type: 'histogram' }>, t: AggType): void {
    const le = m.le(t);
    const counts = data.entries.map((e) => m.counts(e.value as never, t));
    let lo = 0;
    let hi = le.length - 1;
    if (m.trim) {
      for (const c of counts) {
        for (let i = 0; i < c.length; i++) {
          if (c[i] === 0n) continue;
          if (i < this.lo) this.lo = i;
          if (i > this.hi) this.hi = i;
        }
      }
      lo = this.lo;
      hi = Math.min(this.hi, le.length - 1);
    }
    const leText = le.map(String);
    const f = this.families[0];
    const bucket = `${f.name}_bucket`;
    const count = `${f.name}_count`;
    data.entries.forEach((e, n) => {
      const labels = this.labels(e.key);
      const c = counts[n];
      let cumulative = 0n;
      for (let i = 0; i < lo && i < c.length; i++) cumulative += c[i];
      for (let i = lo; i <= hi; i++) {
        cumulative += c[i] ?? 0n;
        f.samples.push({ value: Number(cumulative), labels: { ...labels, le: leText[i] }, metricName: bucket, sharedLabels: NO_SHARED_LABELS });
      }
      for (let i = Math.max(lo, hi + 1); i < c.length; i++) cumulative += c[i];
      f.samples.push({ value: Number(cumulative), labels: { ...labels, le: '+Inf' }, metricName: bucket, sharedLabels: NO_SHARED_LABELS });
      f.samples.push({ value: Number(cumulative), labels, metricName: count, sharedLabels: NO_SHARED_LABELS });
    });
  }

  private labels(key: Value[] | null): Labels {
    const out: Labels = {};
    if (key === null || this.parts === null) return out;
    for (let i = 0; i < this.parts.length; i++) out[this.labelNames[i]] = labelText(this.parts[i], key[i], true);
    return out;
  }
}

function numeric(t: Type): boolean {
  return t.kind === 'int' || t.kind === 'bool';
}

function numberOf(t: Type, v: Value): number {
  if (t.kind === 'bool') return v === true || v === 1n ? 1 : 0;
  return Number(formatValue(t, v));
}

/**
 * A label value: the value's own label text where its format has one (a stack: one line), else
 * its text as the map printout shows it. Text is bytes (one char each); Prometheus wants UTF-8.
 */
export function labelText(t: Type, v: Value, asKey: boolean): string {
  const own = formatOf(t)?.label;
  const text = own ? own(v, t as StringType) : asKey ? formatKeyPart(t, v) : formatValue(t, v);
  // eslint-disable-next-line no-control-regex
  return /[^\x00-\x7f]/.test(text) ? Buffer.from(text, 'latin1').toString('utf8') : text;
}
