/**
 * Holds the running configuration and applies file changes without a restart
 * (SPEC "Configuration"): a valid change replaces it and notifies listeners; an invalid one
 * is refused, logged, and the running config kept.
 */
import { basename, dirname } from 'node:path';
import { watch, type FSWatcher } from 'chokidar';
import type { Logger } from 'pino';
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
}

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

  const reload = (): Promise<'applied' | 'unchanged' | 'refused'> => {
    // Serialised: two quick changes never apply out of order.
    const run = chain.then(async () => {
      let next: Config;
      try {
        next = await loadConfigFile(path);
      } catch (err) {
        logger.error({ err: { message: (err as Error).message, path: (err as { path?: string }).path }, file: path }, 'config change refused; keeping the running config');
        return 'refused' as const;
      }
      const text = JSON.stringify(next);
      if (text === lastText) return 'unchanged' as const;
      const previous = config;
      for (const l of listeners) {
        try {
          await l(next, previous);
        } catch (err) {
          logger.error({ err: { message: (err as Error).message, code: (err as { code?: string }).code }, file: path }, 'config change refused: it cannot be served; keeping the running config');
          lastText = text; // do not retry the same content on every file event
          return 'refused' as const;
        }
      }
      config = next;
      lastText = text;
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
      clearTimeout(timer);
      await watcher?.close();
      await chain;
    },
  };
}
