/**
 * The real admission handler (createWebhookApp) with injected ports, on plain HTTP on
 * 127.0.0.1 with a free port: for unit tests and the fuzz test that need the whole handler
 * (decode, deadline, failure modes, answer) without TLS or registries.
 */
import { request as httpRequest, Agent, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { parseConfig, type Config } from '../../src/config/load-config.js';
import { createMetrics, type Metrics } from '../../src/observability/metrics.js';
import { silentLogger } from '../../src/observability/logger.js';
import { createWebhookApp } from '../../src/server/create-webhook-app.js';
import { PortsHolder } from '../../src/server/ports-holder.js';
import type { Ports } from '../../src/server/runtime-ports.js';

export interface AdmissionApp {
  readonly metrics: Metrics;
  /** POSTs `body` to `path` (e.g. `/validate?timeout=2s`). */
  review(path: string, body: string | object): Promise<{ status: number; text: string; json<T = unknown>(): T }>;
  /** Swaps the config the handler reads. */
  setConfig(raw: Record<string, unknown>): void;
  close(): Promise<void>;
}

export async function startAdmissionApp(options: { ports: Omit<Ports, 'ready'> & Partial<Pick<Ports, 'ready'>>; config?: Record<string, unknown> }): Promise<AdmissionApp> {
  let config: Config = parseConfig(options.config ?? {}, { baseDir: '/' });
  const metrics = createMetrics(undefined, { defaults: false });
  const logger = silentLogger();
  const holder = new PortsHolder({ ready: () => true, ...options.ports }, logger);
  const app = createWebhookApp({ config: () => config, ports: holder, metrics, logger, health: { ready: () => true } });
  const server: Server = await new Promise((resolve) => { const s = app.listen(0, '127.0.0.1', () => resolve(s)); });
  const { port } = server.address() as AddressInfo;
  const agent = new Agent({ keepAlive: true, maxSockets: 8 });
  return {
    metrics,
    review(path, body) {
      const text = typeof body === 'string' ? body : JSON.stringify(body);
      return new Promise((resolve, reject) => {
        const req = httpRequest({ host: '127.0.0.1', port, path, method: 'POST', agent, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) } }, (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => {
            const out = Buffer.concat(chunks).toString('utf8');
            resolve({ status: res.statusCode ?? 0, text: out, json: <T>() => JSON.parse(out) as T });
          });
          res.on('error', reject);
        });
        req.on('error', reject);
        req.end(text);
      });
    },
    setConfig(raw) { config = parseConfig(raw, { baseDir: '/' }); },
    async close() {
      agent.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await holder.close(100);
    },
  };
}
