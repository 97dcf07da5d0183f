/**
 * Starts a real Portcullis (HTTPS webhook + metrics listener) on 127.0.0.1 with free ports,
 * fresh certificates and a config file in a temporary directory, for integration tests.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { generateCertSet, writeCertSet, type CertSet } from '../../src/certs/generate-cert-set.js';
import { startPortcullis, type RunningPortcullis } from '../../src/main.js';
import type { Ports } from '../../src/server/runtime-ports.js';
import { httpsRequest, type HttpsResponse } from './https-client.js';
import { createLogSink } from './log-sink.js';

export interface TestPortcullis {
  readonly running: RunningPortcullis;
  readonly dir: string;
  readonly configFile: string;
  readonly certs: CertSet;
  /** Every log line written, parsed. */
  readonly logs: Array<Record<string, unknown>>;
  /** Every log line written, as text (what the log canary scans). */
  readonly logLines: string[];
  /** POSTs `body` to `/mutate` or `/validate` (query e.g. `?timeout=1s`). */
  review(path: string, body: string | object, options?: { timeoutMs?: number }): Promise<HttpsResponse>;
  get(path: string): Promise<HttpsResponse>;
  /** Rewrites the config file (merged over the base config) and applies it now. */
  reconfigure(config: Record<string, unknown>): Promise<string>;
  close(): Promise<void>;
}

export async function startTestPortcullis(options: { config?: Record<string, unknown>; ports?: Partial<Ports>; mtls?: boolean; logLevel?: string } = {}): Promise<TestPortcullis> {
  const dir = await mkdtemp(join(tmpdir(), 'portcullis-it-'));
  const certs = generateCertSet();
  await writeCertSet(join(dir, 'certs'), certs);
  const base = (extra: Record<string, unknown>) => {
    const server = { host: '127.0.0.1', port: 0, metricsPort: 0, shutdownGraceMs: 1000, ...(extra.server as object | undefined) };
    const tls = { ...(options.mtls ? { clientCAFile: 'certs/ca.crt' } : {}), ...(extra.tls as object | undefined) };
    return { ...extra, server, tls };
  };
  const configFile = join(dir, 'portcullis.yaml');
  await writeFile(configFile, stringify(base(options.config ?? {})));
  // The real logger (its redaction included), writing into a sink the test can read.
  const sink = createLogSink(options.logLevel ?? 'info');
  const logs = sink.parsed;
  const countRefusals = () => logs.filter((l) => String(l.msg ?? '').startsWith('config change refused')).length;
  const running = await startPortcullis({ configPath: configFile, logger: sink.logger, ports: options.ports, kubeConfig: null });
  const client = options.mtls ? { cert: certs.client.certPem, key: certs.client.keyPem } : {};
  return {
    running, dir, configFile, certs, logs, logLines: sink.lines,
    review: (path, body, o = {}) => httpsRequest(`${running.url}${path}`, {
      method: 'POST', body: typeof body === 'string' ? body : JSON.stringify(body), ca: certs.ca.certPem, ...client, timeoutMs: o.timeoutMs,
    }),
    get: (path) => httpsRequest(`${running.url}${path}`, { ca: certs.ca.certPem, ...client }),
    async reconfigure(config) {
      const before = running.configStore.current();
      const refusalsBefore = countRefusals();
      await writeFile(configFile, stringify(base(config)));
      const outcome = await running.configStore.reload();
      if (outcome !== 'unchanged') return outcome;
      // The directory watcher may have handled this very text first (its debounce can fire
      // between the write and this call on a loaded machine): report what happened to it.
      if (running.configStore.current() !== before) return 'applied';
      if (countRefusals() > refusalsBefore) return 'refused';
      return outcome;
    },
    async close() {
      await running.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
