/**
 * Keeps the HTTPS server's secure context in step with the files (SPEC "TLS"). chokidar
 * watches the *directories* of the files, because the files are replaced rather than
 * written: an atomic rename gives a new inode, and a Kubernetes Secret volume swaps the
 * `..data` symlink to a new timestamped directory. Events are debounced, the new material is
 * checked, and only then swapped in with `setSecureContext`, which affects new handshakes
 * only: established connections and their in-flight requests keep the context they started
 * with. A broken pair is refused, logged, counted; the old one stays.
 */
import { dirname } from 'node:path';
import type { Server } from 'node:https';
import { watch, type FSWatcher } from 'chokidar';
import type { Logger } from 'pino';
import type { Metrics } from '../../observability/metrics.js';
import { BASE_TLS_OPTIONS } from './base-tls-options.js';
import { loadTlsMaterial, type ServingPairSource, type TlsFiles, type TlsMaterial } from './load-tls-material.js';

export type ReloadResult = 'success' | 'error' | 'unchanged';

export interface TlsReloader {
  current(): TlsMaterial;
  /** Re-reads the files now; the watcher calls this after its debounce. */
  reload(): Promise<ReloadResult>;
  /** Point at other files (config change) and reload from them. */
  setFiles(files: TlsFiles): Promise<ReloadResult>;
  close(): Promise<void>;
}

export interface TlsReloaderOptions {
  /** The server to update; may be attached after construction via `attach`. */
  files: TlsFiles;
  initial: TlsMaterial;
  logger: Logger;
  metrics: Pick<Metrics, 'tlsReloads' | 'tlsCertExpiry'>;
  debounceMs?: number;
  /** Fallback re-check for missed file events; 0 turns it off. */
  pollIntervalMs?: number;
  /** The serving pair from memory (self-managed certificates): certFile/keyFile are neither read nor watched. */
  serving?: ServingPairSource | undefined;
}

export function recordExpiry(metrics: Pick<Metrics, 'tlsCertExpiry'>, m: TlsMaterial): void {
  metrics.tlsCertExpiry.set({ cert: 'serving' }, Math.floor(m.certNotAfter.getTime() / 1000));
  if (m.clientCaNotAfter) metrics.tlsCertExpiry.set({ cert: 'client-ca' }, Math.floor(m.clientCaNotAfter.getTime() / 1000));
  else metrics.tlsCertExpiry.remove({ cert: 'client-ca' });
}

export async function createTlsReloader(server: Pick<Server, 'setSecureContext'>, options: TlsReloaderOptions): Promise<TlsReloader> {
  const { logger, metrics } = options;
  let files = options.files;
  let material = options.initial;
  let watcher: FSWatcher | undefined;
  let timer: NodeJS.Timeout | undefined;
  let chain: Promise<unknown> = Promise.resolve();
  let closed = false;
  recordExpiry(metrics, material);

  const reload = (): Promise<ReloadResult> => {
    const run = chain.then(async (): Promise<ReloadResult> => {
      if (closed) return 'unchanged';
      let next: TlsMaterial;
      try {
        next = await loadTlsMaterial(files, undefined, options.serving);
      } catch (err) {
        metrics.tlsReloads.inc({ result: 'error' });
        logger.error({ err: { code: (err as { code?: string }).code, message: (err as Error).message } }, 'TLS reload refused; keeping the current certificate');
        return 'error';
      }
      if (next.fingerprint === material.fingerprint) return 'unchanged';
      server.setSecureContext({ ...BASE_TLS_OPTIONS, cert: next.cert, key: next.key, ca: next.ca });
      material = next;
      metrics.tlsReloads.inc({ result: 'success' });
      recordExpiry(metrics, next);
      logger.info({ subject: next.subject, notAfter: next.certNotAfter.toISOString(), mtls: next.ca !== undefined }, 'TLS material reloaded');
      return 'success';
    });
    chain = run.catch(() => undefined);
    return run;
  };

  const schedule = () => {
    clearTimeout(timer);
    timer = setTimeout(() => void reload(), options.debounceMs ?? 250);
  };

  const startWatching = async () => {
    await watcher?.close();
    watcher = undefined;
    const watched = options.serving ? [files.clientCAFile] : [files.certFile, files.keyFile, files.clientCAFile];
    const dirs = [...new Set(watched.filter((f): f is string => !!f).map((f) => dirname(f)))];
    if (dirs.length === 0) return;
    // depth 0 and no symlink following: `..data` and the timestamped directories show up as
    // entries of the watched directory, which is all we need to know that something moved.
    watcher = watch(dirs, { ignoreInitial: true, depth: 0, followSymlinks: false });
    watcher.on('all', schedule);
    watcher.on('error', (err) => logger.error({ err }, 'TLS watcher error'));
    await new Promise<void>((r) => watcher?.once('ready', () => r()));
  };
  await startWatching();

  const poll = options.pollIntervalMs ?? 60_000;
  const interval = poll > 0 ? setInterval(() => void reload(), poll) : undefined;
  interval?.unref();

  return {
    current: () => material,
    reload,
    async setFiles(next) {
      files = next;
      await startWatching();
      return reload();
    },
    async close() {
      closed = true;
      clearTimeout(timer);
      clearInterval(interval);
      await watcher?.close();
      await chain;
    },
  };
}
