/**
 * Holds the running configuration and applies file changes without a restart
 * (SPEC "Configuration"): a valid change replaces it and notifies listeners; an invalid one
 * is refused, logged, and the running config kept.
 *
 * A change refused for a reason that can pass — a file or `secret:` source that could not be
 * read, an API server that did not answer (isTransientRefusal) — is retried with exponential
 * backoff until it applies or the file's text changes. Without that, a change that drops a
 * compromised key, refused once by a hiccup, would leave the key trusted indefinitely.
 */
import { basename, dirname } from 'node:path';
import { watch, type FSWatcher } from 'chokidar';
import type { Logger } from 'pino';
import { backoffDelay } from '../shared/backoff-delay.js';
import { isTransientRefusal } from './is-transient-refusal.js';
import { loadConfigFile, type Config } from './load-config.js';

/**
 * Called with a valid change before it becomes current. A listener that throws refuses the
 * change (e.g. the ports cannot be built from it): the running config is kept.
 */
export type ConfigListener = (next: Config, previous: Config) => void | Promise<void>;

export interface ConfigStore {
  current(): Config;
  /** Subscribes to valid changes (see ConfigListener); returns an unsubscribe function. */
  onChange(listener: ConfigListener): () => void;
  /** Re-reads the file now (also what the watcher calls). Resolves to whether it applied. */
  reload(): Promise<'applied' | 'unchanged' | 'refused'>;
  close(): Promise<void>;
}

export interface ConfigStoreOptions {
  logger: Logger;
  /** Quiet period after the last file event (editors write in several steps). */
  debounceMs?: number;
  watch?: boolean;
  /** Backoff of retries after a transient refusal: first delay, doubling up to maxMs. */
  retry?: { initialMs?: number; maxMs?: number };
}

const DEFAULT_RETRY_INITIAL_MS = 1000;
const DEFAULT_RETRY_MAX_MS = 60_000;

/** A store for embedded defaults or a config that is not watched. */
export function staticConfigStore(config: Config): ConfigStore {
  return {
    current: () => config,
    onChange: () => () => undefined,
    reload: async () => 'unchanged',
    close: async () => undefined,
  };
}

/** Loads `file` (throws ConfigError when invalid) and watches it. */
export async function createConfigStore(file: string, options: ConfigStoreOptions): Promise<ConfigStore> {
  let config = await loadConfigFile(file);
  const path = config.configFile ?? file;
  const { logger } = options;
  const listeners = new Set<ConfigListener>();
  let lastText = JSON.stringify(config);
  let chain: Promise<unknown> = Promise.resolve();
  let closed = false;
  // The pending retry: what it retries (the text, or READ for an unreadable file) and how often.
  const READ = '\u0000read';
  let retryTimer: NodeJS.Timeout | undefined;
  let retry: { subject: string; attempt: number } | undefined;
  const initialMs = options.retry?.initialMs ?? DEFAULT_RETRY_INITIAL_MS;
  const maxMs = options.retry?.maxMs ?? DEFAULT_RETRY_MAX_MS;

  const scheduleRetry = (subject: string): number => {
    const attempt = retry?.subject === subject ? retry.attempt + 1 : 0;
    retry = { subject, attempt };
    const delay = backoffDelay(attempt, initialMs, maxMs);
    if (!closed) retryTimer = setTimeout(() => void reload(), delay).unref();
    return delay;
  };
  const stopRetrying = () => { retry = undefined; };

  const reload = (): Promise<'applied' | 'unchanged' | 'refused'> => {
    // Serialised: two quick changes never apply out of order.
    const run = chain.then(async () => {
      // Whatever triggered this run (a file event or the timer), it supersedes a pending retry.
      clearTimeout(retryTimer);
      let next: Config;
      try {
        next = await loadConfigFile(path);
      } catch (err) {
        const transient = isTransientRefusal(err);
        const retryInMs = transient ? scheduleRetry(READ) : (stopRetrying(), undefined);
        logger.error({ err: { message: (err as Error).message, path: (err as { path?: string }).path, code: (err as { code?: string }).code }, file: path, ...(retryInMs !== undefined ? { retryInMs } : {}) }, 'config change refused; keeping the running config');
        return 'refused' as const;
      }
      const text = JSON.stringify(next);
      if (text === lastText && retry?.subject !== text) {
        stopRetrying();
        return 'unchanged' as const;
      }
      const previous = config;
      for (const l of listeners) {
        try {
          await l(next, previous);
        } catch (err) {
          const transient = isTransientRefusal(err);
          lastText = text; // do not rebuild the same content on every file event…
          // …but do retry it, with backoff, when the refusal may pass by itself.
          const retryInMs = transient ? scheduleRetry(text) : (stopRetrying(), undefined);
          logger.error({ err: { message: (err as Error).message, code: (err as { code?: string }).code }, file: path, ...(retryInMs !== undefined ? { retryInMs } : {}) }, 'config change refused: it cannot be served; keeping the running config');
          return 'refused' as const;
        }
      }
      config = next;
      lastText = text;
      stopRetrying();
      logger.info({ file: path }, 'config change applied');
      return 'applied' as const;
    });
    chain = run.catch(() => undefined);
    return run;
  };

  let watcher: FSWatcher | undefined;
  let timer: NodeJS.Timeout | undefined;
  if (options.watch ?? true) {
    // Watch the directory, not the file: editors and ConfigMap volumes replace the file
    // (rename, `..data` symlink swap), which a watch on the old inode would miss.
    const name = basename(path);
    watcher = watch(dirname(path), {
      ignoreInitial: true,
      depth: 0,
      followSymlinks: false,
      ignored: (p: string) => p !== dirname(path) && basename(p) !== name && !basename(p).startsWith('..'),
    });
    watcher.on('all', () => {
      clearTimeout(timer);
      timer = setTimeout(() => void reload(), options.debounceMs ?? 200);
    });
    watcher.on('error', (err) => logger.error({ err }, 'config watcher error'));
    await new Promise<void>((r) => watcher?.once('ready', () => r()));
  }

  return {
    current: () => config,
    onChange(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    reload,
    async close() {
      closed = true;
      clearTimeout(timer);
      clearTimeout(retryTimer);
      await watcher?.close();
      await chain;
    },
  };
}
