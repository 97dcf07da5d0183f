/**
 * The in-process cache: one bounded LRU (lru-cache) with a TTL per entry. Values are shared by
 * reference, so callers treat what they get as immutable. A TTL of 0 disables a kind.
 */
import { LRUCache } from 'lru-cache';
import type { Metrics } from '../observability/metrics.js';
import type { Cache, CacheKind } from './types.js';
import { cacheTtls, type CacheTtls } from './cache-ttls.js';

export interface MemoryCacheOptions {
  readonly ttlSeconds?: Partial<Record<CacheKind, number>>;
  /** Bound on entries across all kinds. Default 10 000. */
  readonly maxEntries?: number;
  /** Counts hit/miss in `portcullis_cache_requests_total`; omitted when used inside another cache. */
  readonly metrics?: Pick<Metrics, 'cacheRequests'>;
}

export interface MemoryCache extends Cache {
  /** Remaining TTL in ms of an entry (0 when absent), for the Redis layer's bookkeeping and tests. */
  remainingTtl(kind: CacheKind, key: string): number;
}

export function createMemoryCache(options: MemoryCacheOptions = {}): MemoryCache {
  const ttls: CacheTtls = cacheTtls(options.ttlSeconds);
  const lru = new LRUCache<string, { v: unknown }>({ max: options.maxEntries ?? 10_000, ttlAutopurge: false, allowStale: false });
  const k = (kind: CacheKind, key: string) => `${kind}\0${key}`;
  return {
    get<T>(kind: CacheKind, key: string): Promise<T | undefined> {
      const hit = lru.get(k(kind, key));
      options.metrics?.cacheRequests.inc({ kind, result: hit ? 'hit' : 'miss' });
      return Promise.resolve(hit?.v as T | undefined);
    },
    set<T>(kind: CacheKind, key: string, value: T, ttlSeconds?: number): Promise<void> {
      if (ttls[kind] <= 0) return Promise.resolve();
      const ttl = ttlSeconds === undefined ? ttls[kind] : Math.min(ttlSeconds, ttls[kind]);
      if (ttl > 0) lru.set(k(kind, key), { v: value }, { ttl: Math.round(ttl * 1000) });
      return Promise.resolve();
    },
    remainingTtl(kind, key) {
      return Math.max(0, lru.getRemainingTTL(k(kind, key)));
    },
    close() {
      lru.clear();
      return Promise.resolve();
    },
  };
}
