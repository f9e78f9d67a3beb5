// The config block's settings for --metrics (bpfscript's own; bpftrace has none of them):
//
//   config = { metrics_prefix = "node_"; metrics_labels = "@bytes=comm,op; @=disk" }
//
// metrics_prefix replaces "bpfscript_" before each map's name; metrics_labels names the labels of a
// map's key parts (one name per part, in order). Checked once the maps' key types are known, so a
// wrong map name or label count is reported at compile time with the setting's span.

import type { ConfigEntry } from '../ast';
import type { DiagnosticBag } from '../../common/diagnostics';
import type { MetricsMeta } from '../compiled';
import { suggest } from '../suggest';
import type { Analysis } from './checked-program';

const SETTINGS = ['metrics_labels', 'metrics_prefix'];
/** Prometheus label names; those starting with __ are its own. */
const LABEL = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
/** Prometheus metric names. */
const PREFIX = /^([a-zA-Z_:][a-zA-Z0-9_:]*)?$/;
/** `le` is a histogram's bucket label and `quantile` a summary's: a key label must not take them. */
const RESERVED = ['le', 'quantile'];

export function checkMetricsConfig(analysis: Analysis, diags: DiagnosticBag): void {
  const out: MetricsMeta = {};
  for (const entry of analysis.program.config?.entries ?? []) {
    const name = entry.key.toLowerCase();
    if (!name.startsWith('metrics_')) continue;
    if (!SETTINGS.includes(name)) {
      const near = suggest(name, SETTINGS);
      diags.error(`unknown config variable: ${entry.key}`, entry.span, near.length ? `did you mean ${near[0]}?` : `known: ${SETTINGS.join(', ')}`);
      continue;
    }
    if (entry.value.kind !== 'StrLit') {
      diags.error(`${entry.key} must be a string literal`, entry.value.span, name === 'metrics_prefix' ? 'e.g. metrics_prefix = "node_"' : 'e.g. metrics_labels = "@bytes=comm,op; @lat=disk"');
      continue;
    }
    const text = entry.value.value;
    if (name === 'metrics_prefix') {
      if (PREFIX.test(text)) out.prefix = text;
      else diags.error(`metrics_prefix "${text}" is not the start of a Prometheus metric name`, entry.value.span, 'use letters, digits, _ and :, not starting with a digit');
    } else {
      const labels = readLabels(text, entry, analysis, diags);
      if (labels) out.labels = { ...out.labels, ...labels };
    }
  }
  diags.throwIfErrors();
  if (out.prefix !== undefined || out.labels) analysis.metrics = out;
}

/** `@m=a,b; @n=c` into { '@m': ['a', 'b'], '@n': ['c'] }, each checked against the map's key. */
function readLabels(text: string, entry: ConfigEntry, analysis: Analysis, diags: DiagnosticBag): Record<string, string[]> | undefined {
  const span = entry.value.span;
  const out: Record<string, string[]> = {};
  let ok = true;
  const fail = (message: string, hint?: string) => {
    diags.error(`metrics_labels: ${message}`, span, hint);
    ok = false;
  };
  for (const part of text.split(';').map((p) => p.trim()).filter(Boolean)) {
    const m = /^(@[A-Za-z0-9_]*)\s*=\s*(.*)$/.exec(part);
    if (!m) {
      fail(`"${part}" is not @MAP=LABEL[,LABEL…]`, 'e.g. "@bytes=comm,op; @lat=disk"');
      continue;
    }
    const [, map, list] = m;
    const info = analysis.maps.get(map);
    if (!info) {
      const near = suggest(map, analysis.maps.keys());
      fail(`the script has no map ${map}`, near.length ? `did you mean ${near[0]}?` : undefined);
      continue;
    }
    const keys = info.keyType === null || info.keyType.kind === 'none' ? 0 : info.keyType.kind === 'tuple' ? info.keyType.elems.length : 1;
    const names = list.split(',').map((l) => l.trim());
    if (keys === 0) {
      fail(`${map} has no key to name`);
      continue;
    }
    if (names.length !== keys) {
      fail(`${map} has ${keys} key part${keys === 1 ? '' : 's'}, ${names.length} label name${names.length === 1 ? '' : 's'} given`, 'give one label name per key part, in order');
      continue;
    }
    for (const l of names) {
      if (!LABEL.test(l) || l.startsWith('__')) fail(`"${l}" is not a Prometheus label name`, 'use letters, digits and _, not starting with a digit or __');
      else if (RESERVED.includes(l)) fail(`"${l}" is reserved by Prometheus (histogram buckets, summary quantiles)`, 'pick another name');
    }
    if (new Set(names).size !== names.length) fail(`${map} names a label twice`);
    if (out[map]) fail(`${map} is given labels twice`);
    out[map] = names;
  }
  return ok ? out : undefined;
}
