/**
 * The cache of the process (issue 14/15 follow-up): created once by the composition root and
 * shared by every config generation, so a reload neither holds two caches nor drops what is
 * cached (every image went cold after each reload). The newest generation's config sizes it
 * (`cache.maxBytes`, `maxEntries`, `maxEntryBytes`, `ttlSeconds`: applied in place, entries
 * kept). A generation whose `cache.type` or `cache.redis` differs gets a new cache; the old one
 * is closed once the last generation using it is closed (after its drain).
 *
 * Sharing is safe because every cached value is keyed by what produced it: verifier results by
 * the verifier's config and trust material hash (src/validation/result-cache-key.ts) and the
 * generation's verifier config (scope-results-cache.ts), tokens by the credential, registry
 * data by the digest or reference it describes (docs/caching.md).
 */
import type { Cache } from './types.js';
import { createCache, type CacheConfig, type CacheDeps, type ConfiguredCache } from './create-cache.js';

export interface ProcessCache {
  /**
   * A generation's handle on the process cache, configured by `config`. Its `close` gives the
   * handle back; the cache itself stays for the next generation. Throws as createCache does
   * (a refused Redis setting); the running cache is then left as it was.
   */
  acquire(config: CacheConfig, deps?: CacheDeps): Promise<Cache>;
  /** For tests and the metrics: how many underlying caches are open now (2 only during a type change's drain). */
  open(): number;
  /** Closes every cache (process stop). */
  close(): Promise<void>;
}

interface Held {
  readonly identity: string;
  readonly cache: ConfiguredCache;
  handles: number;
  closed?: Promise<void>;
}

/**
 * What makes a cache a different one: its type and, for Redis, its connection and keys (the
 * Redis cache fixes its in-memory front's bounds at creation too, so those count there).
 */
function identityOf(config: CacheConfig): string {
  return config.type === 'redis' ? JSON.stringify({ type: 'redis', redis: config.redis ?? null, bounds: [config.ttlSeconds ?? null, config.maxBytes ?? null, config.maxEntryBytes ?? null, config.maxEntries ?? null] }) : 'memory';
}

export function createProcessCache(): ProcessCache {
  let current: Held | undefined;
  const all = new Set<Held>();
  let creating: Promise<unknown> = Promise.resolve();

  const release = (held: Held) => {
    held.handles--;
    if (held.handles > 0 || held === current || held.closed) return held.closed ?? Promise.resolve();
    all.delete(held);
    held.closed = held.cache.close();
    return held.closed;
  };

  async function acquire(config: CacheConfig, deps: CacheDeps = {}): Promise<Cache> {
    // One acquire at a time: two reloads in a row must not both create a Redis cache.
    const turn = creating.then(async () => {
      const identity = identityOf(config);
      let held = current;
      if (held && held.identity === identity) {
        held.cache.reconfigure?.(config);
      } else {
        held = { identity, cache: await createCache(config, deps), handles: 0 };
        all.add(held);
        const previous = current;
        current = held;
        // The previous cache closes when the generations on it have (now, if none is left).
        if (previous && previous.handles === 0) { previous.handles = 1; void release(previous); }
      }
      held.handles++;
      return held;
    });
    creating = turn.catch(() => undefined);
    const held = await turn;
    const cache = held.cache;
    let given = false;
    return {
      // Lent as they are: both caches' methods are closures (no `this`).
      get: cache.get,
      set: cache.set,
      async close() {
        if (given) return;
        given = true;
        await release(held);
      },
    };
  }

  return {
    acquire,
    open: () => all.size,
    async close() {
      current = undefined;
      const open = [...all];
      all.clear();
      await Promise.allSettled(open.map((h) => h.closed ?? h.cache.close()));
    },
  };
}
