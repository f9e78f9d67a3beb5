// --metrics without a kernel: maps handed to the exporter as the runtime reads them, served on a
// loopback port, and checked line by line in both text formats; addresses and Accept headers.

import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Stat, type MapMeta, type MetricsMeta } from '../../src/compiled';
import type { MapData } from '../../src/functions';
import type { Type } from '../../common/types';
import { Exporter, prefersOpenMetrics } from '../../runtime/metrics/exporter';
import { looksLikeAddress, parseListenAddress } from '../../runtime/metrics/address';
import { agg, hist, lh, lhist, map, tup } from './map-data';

const u64: Type = { kind: 'int', bits: 64, signed: false };
const str: Type = { kind: 'string', size: 16 };

function meta(m: MapData): MapMeta {
  const a = m.valueType.kind === 'agg' ? m.valueType.agg : undefined;
  return { name: m.name, bpfName: `AT_${m.name.slice(1)}`, keyType: m.keyType, valueType: m.valueType, ...(a ? { aggregate: a } : {}), keySize: 8, valueSize: 8, perCpu: !!a };
}

/** An exporter on a free loopback port over `maps`, whose contents `next` may change between scrapes. */
async function serve(maps: MapData[], settings?: MetricsMeta, warnings: string[] = []) {
  const state = { maps };
  const exp = await Exporter.start(parseListenAddress('127.0.0.1:0'), {
    maps: maps.map(meta),
    settings,
    read: () => state.maps,
    stat: (s) => (s === Stat.LostEvents ? 3n : 0n),
    warn: (t) => warnings.push(t),
  });
  const get = async (accept?: string) => {
    const r = await fetch(`http://127.0.0.1:${exp.port}/metrics`, { headers: accept ? { Accept: accept } : {}, signal: AbortSignal.timeout(10_000) });
    return { type: r.headers.get('content-type') ?? '', body: await r.text() };
  };
  return { exp, state, get };
}

test('each aggregation as its module says: counter, gauges, stats fields, histograms with exact bounds', async () => {
  const t = lh(0n, 10n, 5n);
  const { exp, get } = await serve([
    map('@c', str, agg('count', false), [[['bash'], 4n]]),
    map('@st', null, agg('stats'), [[null, { count: 2n, total: 30n }]]),
    map('@h', null, agg('hist'), [[null, hist(1n, 5n, 6n)]]),
    map('@l', null, t, [[null, lhist(t, 1n, 7n, 12n)]]),
  ]);
  try {
    const om = await get();
    assert.match(om.type, /^application\/openmetrics-text/);
    const lines = om.body.split('\n');
    for (const l of [
      '# TYPE bpfscript_c counter',
      'bpfscript_c_total{key="bash"} 4',
      'bpfscript_st_samples 2',
      'bpfscript_st_average 15',
      'bpfscript_st_summed 30',
      // 1 is [1] (le 1); 5 and 6 are [4, 8) (le 7); the buckets between are shown, none outside.
      'bpfscript_h_bucket{le="1"} 1',
      'bpfscript_h_bucket{le="3"} 1',
      'bpfscript_h_bucket{le="7"} 3',
      'bpfscript_h_bucket{le="+Inf"} 3',
      'bpfscript_h_count 3',
      'bpfscript_l_bucket{le="-1"} 0',
      'bpfscript_l_bucket{le="4"} 1',
      'bpfscript_l_bucket{le="9"} 2',
      'bpfscript_l_bucket{le="+Inf"} 3',
      'bpfscript_exporter_lost_events_total 3',
      '# EOF',
    ]) {
      assert.ok(lines.includes(l), `${l} in\n${om.body}`);
    }
    assert.not.ok(lines.some((l) => l.startsWith('bpfscript_h_bucket{le="0"}') || l.startsWith('bpfscript_h_bucket{le="15"}')), om.body);
    const text = await get('text/plain;version=0.0.4');
    assert.match(text.type, /^text\/plain; version=0\.0\.4/);
    assert.ok(text.body.includes('\n# TYPE bpfscript_c_total counter\nbpfscript_c_total{key="bash"} 4\n'), text.body);
    assert.not.ok(text.body.includes('# EOF'));
  } finally {
    exp.close();
  }
});

test('labels: named by metrics_labels, tuples, escaping, UTF-8, stacks; a histogram keeps its widest bucket range', async () => {
  const { exp, state, get } = await serve(
    [map('@t', tup(u64, str), agg('count', false), [[[7n, 'a"b\\c\nd'], 1n]]), map('@s', u64, { kind: 'string', size: 16, format: 'kstack' }, [[[1n], '\n        f1+4\n        f0\n']]), map('@h', str, agg('hist'), [[['x'], hist(100n)]]), map('@u', str, u64, [[['\xc3\xa9t\xc3\xa9'], 5n]])],
    { prefix: 'n_', labels: { '@t': ['pid', 'name'] } },
  );
  try {
    const om = (await get()).body;
    assert.ok(om.includes('\nn_t_total{pid="7",name="a\\"b\\\\c\\nd"} 1\n'), om);
    assert.ok(om.includes('\nn_s_info{key="1",value="f1+4;f0"} 1\n'), om);
    assert.ok(om.includes('\nn_u{key="été"} 5\n'), om);
    assert.ok(om.includes('\nn_h_bucket{key="x",le="127"} 1\n'), om);
    // A smaller value later widens the range; the bucket of 100 stays exposed after a clear().
    state.maps = [state.maps[0], state.maps[1], map('@h', str, agg('hist'), [[['x'], hist(2n)]]), state.maps[3]];
    const later = (await get()).body;
    assert.ok(later.includes('\nn_h_bucket{key="x",le="3"} 1\n') && later.includes('\nn_h_bucket{key="x",le="127"} 1\n'), later);
  } finally {
    exp.close();
  }
});

test('two maps with one metric name: the second is not exported and a warning says so', async () => {
  const warnings: string[] = [];
  const { exp, get } = await serve([map('@a', null, agg('count', false), [[null, 1n]]), map('@a_total', null, u64, [[null, 2n]])], undefined, warnings);
  try {
    assert.match(warnings.join('\n'), /map @a_total would be exported as bpfscript_a_total, which is taken/);
    assert.ok((await get()).body.includes('\nbpfscript_a_total 1\n'));
  } finally {
    exp.close();
  }
});

test('Accept: OpenMetrics unless text/plain has the higher q', () => {
  assert.ok(prefersOpenMetrics(undefined));
  assert.ok(prefersOpenMetrics('*/*'));
  // Prometheus 2.x's own header.
  assert.ok(prefersOpenMetrics('application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1'));
  assert.not.ok(prefersOpenMetrics('text/plain;version=0.0.4'));
  assert.not.ok(prefersOpenMetrics('application/openmetrics-text;q=0.2, text/plain;q=0.9'));
});

test('--metrics addresses', () => {
  assert.equal(parseListenAddress('127.0.0.1:9435'), { host: '127.0.0.1', port: 9435, text: '127.0.0.1:9435' });
  assert.equal(parseListenAddress(':80').host, undefined);
  assert.equal(parseListenAddress('9000').host, '127.0.0.1');
  assert.equal(parseListenAddress('[::1]:9000').host, '::1');
  assert.throws(() => parseListenAddress('host:99999'), /port must be from 0 to 65535/);
  assert.throws(() => parseListenAddress('a:b:c'), /not an address/);
  assert.ok(looksLikeAddress('9435') && looksLikeAddress('a:b'));
  assert.not.ok(looksLikeAddress('script.bt'));
});

test.run();
