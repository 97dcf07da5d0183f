/**
 * Watches a policy bundle file and loads each new version into the engine. The parent
 * directory is watched, not the file, so atomic replacements (rename over the file, or a
 * Kubernetes ConfigMap/Secret volume swapping its `..data` symlink) are seen too; a content
 * hash avoids reloading an unchanged bundle.
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { basename, dirname, resolve } from 'node:path';
import chokidar from 'chokidar';
import type { Logger } from 'pino';
import type { WasmPolicyEngine } from './create-wasm-policy-engine.js';
import { MAX_BUNDLE_BYTES } from './read-bundle.js';

export interface PolicyBundleWatcher {
  /** Resolves once the watcher is ready to see changes. */
  readonly ready: Promise<void>;
  /** Re-reads the file now (also what a change event does). */
  reload(): Promise<'success' | 'failure' | 'unchanged'>;
  close(): Promise<void>;
}

export interface WatchPolicyBundleOptions {
  readonly logger?: Logger | undefined;
  /** Hash of the bundle already loaded, so the first event does not reload it again. */
  readonly loadedHash?: string | undefined;
  /** Called after each attempt (tests wait on it). */
  readonly onReload?: ((result: 'success' | 'failure' | 'unchanged', error?: Error) => void) | undefined;
  readonly debounceMs?: number | undefined;
}

export function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

export function watchPolicyBundle(file: string, engine: WasmPolicyEngine, options: WatchPolicyBundleOptions = {}): PolicyBundleWatcher {
  const path = resolve(file);
  let lastHash = options.loadedHash;
  let chain: Promise<unknown> = Promise.resolve();
  let timer: NodeJS.Timeout | undefined;

  const attempt = async (): Promise<'success' | 'failure' | 'unchanged'> => {
    let result: 'success' | 'failure' | 'unchanged';
    let error: Error | undefined;
    try {
      const bytes = await readFile(path);
      if (bytes.length > MAX_BUNDLE_BYTES) throw new Error(`bundle is larger than ${MAX_BUNDLE_BYTES} bytes`);
      const hash = sha256(bytes);
      if (hash === lastHash) {
        result = 'unchanged';
      } else {
        lastHash = hash; // a broken bundle is not retried until its content changes
        await engine.load(bytes, path);
        result = 'success';
      }
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') {
        // Mid-swap (file briefly absent) or removed: keep the current policy.
        options.logger?.warn({ source: path }, 'policy bundle file is missing; keeping the current policy');
        result = 'unchanged';
      } else {
        error = e as Error;
        result = 'failure';
      }
    }
    options.onReload?.(result, error);
    return result;
  };
  const reload = () => {
    const next = chain.then(attempt, attempt);
    chain = next;
    return next;
  };

  const watcher = chokidar.watch(dirname(path), { ignoreInitial: true, depth: 0 });
  const name = basename(path);
  watcher.on('all', (_event, changed) => {
    const b = basename(changed);
    if (b !== name && !b.startsWith('..')) return;
    clearTimeout(timer);
    timer = setTimeout(() => { void reload(); }, options.debounceMs ?? 50);
  });
  watcher.on('error', (err) => options.logger?.error({ err: (err as Error).message, source: path }, 'policy bundle watcher error'));
  const ready = new Promise<void>((ok) => watcher.once('ready', () => ok()));
  return {
    ready,
    reload,
    async close() {
      clearTimeout(timer);
      await watcher.close();
      await chain.catch(() => undefined);
    },
  };
}
