// --metrics: an HTTP endpoint serving the script's maps at GET /metrics, read from the kernel at
// each scrape (nothing is polled in between: an idle exporter costs no CPU). OpenMetrics text by
// default, Prometheus text 0.0.4 when the scraper's Accept prefers it; prom-client writes both.

import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { Registry } from 'prom-client';
import type { MapData } from '../../src/functions';
import { Stat, type MapMeta, type MetricsMeta } from '../../src/compiled';
import { BpfscriptError } from '../../common/diagnostics';
import { DEFAULT_PREFIX, Family, MapView } from './families';
import type { ListenAddress } from './address';

export interface ExporterSource {
  maps: readonly MapMeta[];
  settings?: MetricsMeta;
  /** Every map, decoded (ScriptMaps.readAll). */
  read(): MapData[];
  /** A counter of the runtime's stats map, summed over the CPUs. */
  stat(which: Stat): bigint;
  /** A one-line warning on stderr. */
  warn(text: string): void;
}

const OPENMETRICS = Registry.OPENMETRICS_CONTENT_TYPE;
const PROMETHEUS = Registry.PROMETHEUS_CONTENT_TYPE;

export class Exporter {
  private readonly views: MapView[] = [];
  private readonly families: { family: Family; name: string }[] = [];
  private readonly duration: Family;
  private readonly lost: Family;
  private readonly full: Family;

  private constructor(
    private readonly server: Server,
    private readonly src: ExporterSource,
  ) {
    const prefix = src.settings?.prefix ?? DEFAULT_PREFIX;
    this.duration = new Family(`${prefix}exporter_scrape_duration_seconds`, 'gauge', 'Time this scrape took to read and decode the maps from the kernel');
    this.lost = new Family(`${prefix}exporter_lost_events_total`, 'counter', 'Event records (printf and other output) dropped because the ring buffer was full');
    this.full = new Family(`${prefix}exporter_map_full_drops_total`, 'counter', 'Map updates dropped because the map held max_map_keys keys');
    const taken = new Set<string>();
    const add = (family: Family, owner: string) => {
      // The name a family keeps in both formats; prom-client strips a counter's _total for OpenMetrics.
      if (taken.has(family.name)) return src.warn(`WARNING: --metrics: ${owner} would be exported as ${family.name}, which is taken; it is not exported`);
      taken.add(family.name);
      this.families.push({ family, name: family.name });
    };
    for (const f of [this.duration, this.lost, this.full]) add(f, 'the exporter');
    for (const meta of src.maps) {
      const view = new MapView(meta, src.settings);
      this.views.push(view);
      for (const f of view.families) add(f, `map ${meta.name}`);
    }
  }

  static async start(addr: ListenAddress, src: ExporterSource): Promise<Exporter> {
    const server = createServer();
    await new Promise<void>((resolve, reject) => {
      server.once('error', (e: NodeJS.ErrnoException) => {
        const why = e.code === 'EADDRINUSE' ? 'the address is in use' : e.code === 'EADDRNOTAVAIL' ? 'no interface has that address' : e.code === 'EACCES' ? 'permission denied' : e.message;
        reject(new BpfscriptError({ severity: 'ERROR', message: `--metrics: cannot listen on ${addr.text}: ${why}`, hint: 'give another HOST:PORT, e.g. --metrics 127.0.0.1:9436' }));
      });
      server.listen(addr.port, addr.host, () => resolve());
    });
    const exporter = new Exporter(server, src);
    server.on('request', (req, res) => exporter.handle(req, res));
    return exporter;
  }

  /** Where scrapers find the maps, as the session announces it. */
  url(addr: ListenAddress): string {
    const host = addr.host === undefined ? '0.0.0.0' : addr.host.includes(':') ? `[${addr.host}]` : addr.host;
    return `http://${host}:${this.port}/metrics`;
  }

  /** The port actually bound (ADDR's port 0 picks a free one). */
  get port(): number {
    const a = this.server.address();
    return typeof a === 'object' && a ? a.port : 0;
  }

  /** The exposition as the scraper asked for it. */
  async scrape(accept: string | undefined): Promise<{ body: string; contentType: string }> {
    const start = process.hrtime.bigint();
    const data = new Map(this.src.read().map((m) => [m.name, m]));
    this.views.forEach((v, i) => {
      const d = data.get(this.src.maps[i].name);
      if (d) v.fill(d);
    });
    this.counter(this.lost, this.src.stat(Stat.LostEvents));
    this.counter(this.full, this.src.stat(Stat.MapFull));
    this.duration.samples = [{ value: Number(process.hrtime.bigint() - start) / 1e9, labels: {} }];
    const contentType = prefersOpenMetrics(accept) ? OPENMETRICS : PROMETHEUS;
    const registry = new Registry();
    registry.setContentType(contentType as never);
    for (const { family, name } of this.families) {
      family.name = name;
      registry.registerMetric(family as never);
    }
    const body = await registry.metrics();
    for (const v of this.views) for (const f of v.families) f.reset();
    return { body, contentType };
  }

  private counter(f: Family, v: bigint): void {
    f.samples = [{ value: Number(v), labels: {} }];
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    const path = (req.url ?? '/').split('?')[0];
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { Allow: 'GET, HEAD', 'Content-Type': 'text/plain' }).end('only GET and HEAD\n');
    } else if (path === '/metrics') {
      this.scrape(req.headers.accept).then(
        ({ body, contentType }) => res.writeHead(200, { 'Content-Type': contentType }).end(req.method === 'HEAD' ? undefined : body),
        (e: Error) => res.writeHead(500, { 'Content-Type': 'text/plain' }).end(`reading the maps failed: ${e.message}\n`),
      );
    } else if (path === '/') {
      res.writeHead(200, { 'Content-Type': 'text/html' }).end('<html><body><a href="/metrics">/metrics</a></body></html>\n');
    } else {
      res.writeHead(404, { 'Content-Type': 'text/plain' }).end('not found: the metrics are at /metrics\n');
    }
  }

  close(): void {
    this.server.close();
    this.server.closeAllConnections();
  }
}

/**
 * Whether an Accept header wants OpenMetrics rather than the 0.0.4 text format: the one with the
 * higher q wins; OpenMetrics when neither is named (no header, or any type).
 */
export function prefersOpenMetrics(accept: string | undefined): boolean {
  if (!accept) return true;
  let om = -1;
  let text = -1;
  for (const item of accept.split(',')) {
    const [type, ...params] = item.split(';').map((s) => s.trim().toLowerCase());
    const qp = params.find((p) => p.startsWith('q='));
    const q = qp ? Number(qp.slice(2)) : 1;
    if (type === 'application/openmetrics-text') om = Math.max(om, q);
    else if (type === 'text/plain') text = Math.max(text, q);
  }
  return !(text > om);
}
