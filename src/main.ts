/**
 * The composition root (DESIGN "src/ layout"): load the config, build the ports, start the
 * HTTPS webhook and the metrics listener, and keep them in step with config and certificate
 * changes. The only place that picks implementations.
 */
import { createServer as createHttpServer } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { resolve } from 'node:path';
import type { KubeConfig } from '@kubernetes/client-node';
import type { Logger } from 'pino';
import { Registry } from 'prom-client';
import { createProcessCache } from './cache/process-cache.js';
import { buildPorts } from './compose-ports.js';
import { createConfigStore, staticConfigStore, type ConfigStore } from './config/config-store.js';
import { defaultConfig, type Config } from './config/load-config.js';
import { createLogger } from './observability/logger.js';
import { createMetrics, type Metrics } from './observability/metrics.js';
import { createProcessBudget } from './oci/create-request-limits.js';
import { createMetricsApp } from './server/create-metrics-app.js';
import { createWebhookApp } from './server/create-webhook-app.js';
import { closeGracefully, listen, urlFor } from './server/listen.js';
import { PortsHolder } from './server/ports-holder.js';
import { createLoadShedder } from './server/shed-overload.js';
import type { Ports } from './server/runtime-ports.js';
import { BASE_TLS_OPTIONS } from './server/tls/base-tls-options.js';
import { loadTlsMaterial, type TlsFiles } from './server/tls/load-tls-material.js';
import { createTlsReloader, type TlsReloader } from './server/tls/tls-reloader.js';
import { ConfigError } from './shared/coded-error.js';
import type { SelfManagedCerts } from './webhook-certs/start-self-managed-certs.js';

export type { Ports } from './server/runtime-ports.js';
export { buildPorts } from './compose-ports.js';

export interface StartOptions {
  /** YAML config file (watched); absent: embedded defaults. */
  configPath?: string | undefined;
  /** Base for relative paths of the embedded defaults; default process.cwd(). */
  cwd?: string | undefined;
  logger?: Logger | undefined;
  /** Overrides for the ports buildPorts makes (tests inject fakes here). */
  ports?: Partial<Ports> | undefined;
  /** The prom-client registry for the metrics; default a fresh one (never the global). */
  metricsRegistry?: Registry | undefined;
  /** The API server for namespace labels and pull secrets; absent: found like kubectl; null: none. */
  kubeConfig?: KubeConfig | null | undefined;
  /** Overrides the config's listener settings (tests and the CLI: port 0, loopback). */
  listen?: { port?: number; metricsPort?: number; host?: string } | undefined;
}

export interface RunningPortcullis {
  /** `https://host:port` of the webhook. */
  readonly url: string;
  readonly port: number;
  /** `http://host:port` of the metrics listener. */
  readonly metricsUrl: string;
  readonly metricsPort: number;
  readonly metrics: Metrics;
  readonly configStore: ConfigStore;
  readonly tls: TlsReloader;
  /** With `tls.selfManaged.enabled`: the certificate Secret follower and, when leading, its writer. */
  readonly selfManagedCerts: SelfManagedCerts | undefined;
  readonly logger: Logger;
  /** The ports new requests get now. */
  ports(): Ports;
  /** Graceful stop: no new connections, in-flight requests finish, ports closed. */
  close(): Promise<void>;
}

export async function startPortcullis(opts: StartOptions = {}): Promise<RunningPortcullis> {
  const logger = opts.logger ?? createLogger();
  const metrics = createMetrics(opts.metricsRegistry ?? new Registry());
  const configStore = opts.configPath
    ? await createConfigStore(opts.configPath, { logger })
    : staticConfigStore(defaultConfig(resolve(opts.cwd ?? process.cwd())));
  const cleanup: Array<() => Promise<void>> = [() => configStore.close()];
  try {
    let config = configStore.current();
    // node-forge (certificate generation) is imported only for the embedded defaults' dev set.
    if (!opts.configPath && (await (await import('./certs/ensure-certs.js')).ensureCerts(config.tls.certFile, config.tls.keyFile))) {
      logger.warn({ dir: resolve(config.tls.certFile, '..') }, 'no TLS material found: generated a self-signed development set');
    }

    // mTLS is a listener setting (requestCert/rejectUnauthorized): fixed at start.
    const mtls = config.tls.clientCAFile !== null;
    // Without mTLS the caller is not authenticated: anyone reaching the Service could name any
    // namespace's pull secrets in a review, so they are not read (docs/install.md).
    // One byte and connection budget for the process: a config generation and the one that
    // replaces it share it while the old drains (issue 14: a reload must not double it).
    const processBudget = createProcessBudget({ maxBytesInFlight: config.registries.maxBytesInFlight, maxConnections: config.registries.maxConnections });
    // One cache for the process too: a reload keeps what is cached (the newest config sizes
    // it); results are keyed by the verifier config and trust material that produced them.
    const processCache = createProcessCache();
    cleanup.push(() => processCache.close());
    const deps = { logger, metrics, kubeConfig: opts.kubeConfig, authenticatedCallers: mtls, processBudget, processCache };
    const compose = async (c: Config): Promise<Ports> => {
      const built = await buildPorts(c, deps);
      return {
        ...built,
        ...opts.ports,
        // Both sets hold resources (policy watcher, registry pools): close both.
        close: async () => {
          await opts.ports?.close?.();
          await built.close?.();
        },
      };
    };
    const holder = new PortsHolder(await compose(config), logger);
    cleanup.push(() => holder.close(config.server.shutdownGraceMs));

    const tlsFiles = (c: Config, previous?: TlsFiles): TlsFiles => ({
      certFile: c.tls.certFile,
      keyFile: c.tls.keyFile,
      clientCAFile: mtls ? (c.tls.clientCAFile ?? previous?.clientCAFile ?? null) : null,
    });
    let files = tlsFiles(config);
    // Self-managed certificates (docs/self-managed-certs.md): the serving pair comes from the
    // Secret, in memory; the listener starts once a usable pair is there. Fixed at start.
    let selfManaged: SelfManagedCerts | undefined;
    if (config.tls.selfManaged.enabled) {
      const { startSelfManagedServing } = await import('./webhook-certs/start-self-managed-serving.js');
      const started = await startSelfManagedServing(config.tls.selfManaged, { kubeConfig: opts.kubeConfig, logger, metrics });
      selfManaged = started;
      cleanup.push(() => started.close());
      await started.waitForPair();
    }
    const serving = selfManaged ? () => selfManaged.current() : undefined;
    const material = await loadTlsMaterial(files, undefined, serving);
    const health = { ready: () => holder.current().ready(), detail: () => holder.current().readiness?.() ?? [] };
    const shedder = createLoadShedder({ config: () => config, metrics, logger });
    cleanup.push(async () => shedder.close());
    const clientIdentity = { required: mtls, allowedNames: () => config.tls.allowedClientNames };
    const app = createWebhookApp({ config: () => config, ports: holder, metrics, logger, health, clientIdentity, shedder });
    const server = createHttpsServer({
      ...BASE_TLS_OPTIONS,
      cert: material.cert, key: material.key, ca: material.ca,
      requestCert: mtls, rejectUnauthorized: mtls,
      // Bounded so a slow or idle client cannot hold a socket forever.
      requestTimeout: 60_000, headersTimeout: 20_000, keepAliveTimeout: 30_000,
    }, app);
    server.on('tlsClientError', (err) => logger.debug({ err: { message: err.message } }, 'TLS handshake failed'));
    const tls = await createTlsReloader(server, { files, initial: material, logger, metrics, debounceMs: config.tls.reloadDebounceMs, serving });
    cleanup.push(() => tls.close());
    selfManaged?.onChange(() => void tls.reload());
    // A pair that arrived between the first load and the listener above.
    if (selfManaged) await tls.reload();
    const metricsServer = createHttpServer(createMetricsApp(metrics.registry, health));

    const host = opts.listen?.host ?? config.server.host;
    const port = await listen(server, opts.listen?.port ?? config.server.port, host);
    cleanup.push(() => closeGracefully(server, config.server.shutdownGraceMs));
    const metricsPort = await listen(metricsServer, opts.listen?.metricsPort ?? config.server.metricsPort, host);
    cleanup.push(() => closeGracefully(metricsServer, 1000));

    configStore.onChange(async (next, previous) => {
      // Build first: a config whose ports cannot be built (bad verifier options, broken
      // policy bundle…) is refused as a whole — ConfigStore keeps the running one.
      const nextPorts = await compose(next);
      // Everything that can fail happens before the swap, so a refused change leaves the
      // running config, ports and TLS files as they were.
      const nextFiles = tlsFiles(next, files);
      if (JSON.stringify(nextFiles) !== JSON.stringify(files)) {
        let result: Awaited<ReturnType<typeof tls.setFiles>> | undefined;
        try {
          result = await tls.setFiles(nextFiles);
        } finally {
          // A change naming a pair that does not load is an invalid change: refused whole,
          // the watcher pointed back at the running files.
          if (result !== 'success' && result !== 'unchanged') {
            await tls.setFiles(files).catch(() => undefined);
            await nextPorts.close?.();
          }
        }
        if (result === 'error') throw new ConfigError('INVALID_CONFIG', 'tls', `the certificate and key in ${nextFiles.certFile} and ${nextFiles.keyFile} do not load; the running pair is kept`);
        files = nextFiles;
      }
      // Swapped together, synchronously: a request that takes the ports lease and reads the
      // config at the same moment always sees one generation of both.
      holder.swap(nextPorts);
      config = next;
      for (const key of ['port', 'metricsPort', 'host'] as const) {
        if (next.server[key] !== previous.server[key]) logger.warn({ key: `server.${key}` }, 'this setting takes effect on restart');
      }
      if ((next.tls.clientCAFile === null) !== (previous.tls.clientCAFile === null) || (!mtls && next.tls.clientCAFile !== null)) {
        logger.warn({ key: 'tls.clientCAFile' }, 'turning mTLS on or off takes effect on restart');
      }
      if (JSON.stringify(next.tls.selfManaged) !== JSON.stringify(previous.tls.selfManaged)) {
        logger.warn({ key: 'tls.selfManaged' }, 'this setting takes effect on restart');
      }
    });

    logger.info({ url: urlFor('https', host, port), metrics: urlFor('http', host, metricsPort), mtls, config: config.configFile ?? 'embedded defaults' }, 'portcullis listening');
    let closing: Promise<void> | undefined;
    return {
      url: urlFor('https', host, port),
      port,
      metricsUrl: urlFor('http', host, metricsPort),
      metricsPort,
      metrics,
      configStore,
      tls,
      selfManagedCerts: selfManaged,
      logger,
      ports: () => holder.current(),
      close: () => (closing ??= runCleanup(cleanup)),
    };
  } catch (err) {
    await runCleanup(cleanup);
    throw err;
  }
}

/** Runs cleanups last-registered first: listeners stop before the ports they use close. */
async function runCleanup(cleanup: Array<() => Promise<void>>): Promise<void> {
  for (const fn of [...cleanup].reverse()) {
    try {
      await fn();
    } catch {
      // best effort: one failing close must not keep the others from running
    }
  }
}
