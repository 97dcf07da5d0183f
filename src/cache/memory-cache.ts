/**
 * The in-process cache: one LRU (lru-cache) bounded by bytes and entries, with a TTL per entry.
 * An entry's size is its value's JSON length plus a fixed overhead (cache-limits.ts); an entry
 * over `maxEntryBytes` is not kept. Values are shared by reference, so callers treat what they
 * get as immutable. A TTL of 0 disables a kind.
 */
import { LRUCache } from 'lru-cache';
import type { Metrics } from '../observability/metrics.js';
import type { Cache, CacheKind } from './types.js';
import { cacheTtls, type CacheTtls } from './cache-ttls.js';
import { DEFAULT_CACHE_MAX_BYTES, DEFAULT_CACHE_MAX_ENTRIES, DEFAULT_CACHE_MAX_ENTRY_BYTES, entrySize } from './cache-limits.js';

export interface MemoryCacheOptions {
  readonly ttlSeconds?: Partial<Record<CacheKind, number>>;
  /** Bound on the bytes held across all kinds. Default 64 MiB. */
  readonly maxBytes?: number;
  /** Entries bigger than this are not cached. Default 1 MiB. */
  readonly maxEntryBytes?: number;
  /** Bound on entries across all kinds. Default 100 000. */
  readonly maxEntries?: number;
  /** Counts hit/miss in `portcullis_cache_requests_total`; omitted when used inside another cache. */
  readonly metrics?: Pick<Metrics, 'cacheRequests'>;
  /** Reports the bytes held (`portcullis_cache_bytes`) after each change. */
  readonly bytesGauge?: Pick<Metrics['cacheBytes'], 'set'>;
}

export interface MemoryCache extends Cache {
  /** As Cache.set; `valueJsonLength` spares a second serialisation when the caller has the JSON. */
  set<T>(kind: CacheKind, key: string, value: T, ttlSeconds?: number, valueJsonLength?: number): Promise<void>;
  /** Remaining TTL in ms of an entry (0 when absent), for the Redis layer's bookkeeping and tests. */
  remainingTtl(kind: CacheKind, key: string): number;
  /** Bytes charged for the entries held now (never above `maxBytes`). */
  bytes(): number;
  /**
   * New bounds and TTLs (a config reload; src/cache/process-cache.ts): entries are kept, the
   * least recently used dropped first when the new bounds are smaller, and none outlives its
   * kind's new TTL (a kind turned off is emptied).
   */
  reconfigure(options: Pick<MemoryCacheOptions, 'ttlSeconds' | 'maxBytes' | 'maxEntryBytes' | 'maxEntries'>): void;
}

interface Entry { readonly v: unknown; readonly size: number }

export function createMemoryCache(options: MemoryCacheOptions = {}): MemoryCache {
  let ttls: CacheTtls = cacheTtls(options.ttlSeconds);
  const newLru = (bounds: Pick<MemoryCacheOptions, 'maxBytes' | 'maxEntryBytes' | 'maxEntries'>) => {
    const maxSize = bounds.maxBytes ?? DEFAULT_CACHE_MAX_BYTES;
    return new LRUCache<string, Entry>({
      max: bounds.maxEntries ?? DEFAULT_CACHE_MAX_ENTRIES,
      maxSize,
      maxEntrySize: Math.min(bounds.maxEntryBytes ?? DEFAULT_CACHE_MAX_ENTRY_BYTES, maxSize),
      ttlAutopurge: false,
      allowStale: false,
      // Evictions and expiries go through dispose, so the gauge follows them too.
      dispose: () => { queueMicrotask(report); },
    });
  };
  let lru = newLru(options);
  const report = () => options.bytesGauge?.set(lru.calculatedSize);
  const k = (kind: CacheKind, key: string) => `${kind}\0${key}`;
  return {
    get<T>(kind: CacheKind, key: string): Promise<T | undefined> {
      const hit = lru.get(k(kind, key));
      options.metrics?.cacheRequests.inc({ kind, result: hit ? 'hit' : 'miss' });
      return Promise.resolve(hit?.v as T | undefined);
    },
    set<T>(kind: CacheKind, key: string, value: T, ttlSeconds?: number, valueJsonLength?: number): Promise<void> {
      if (ttls[kind] <= 0) return Promise.resolve();
      const ttl = ttlSeconds === undefined ? ttls[kind] : Math.min(ttlSeconds, ttls[kind]);
      if (!(ttl > 0)) return Promise.resolve();
      const id = k(kind, key);
      const length = valueJsonLength ?? jsonLength(value);
      // Not serialisable, or over the per-entry cap: not cached (lru-cache also drops an older
      // entry under that key, so a stale value never outlives a refused update).
      if (length === undefined) { lru.delete(id); return Promise.resolve(); }
      const size = entrySize(id, length);
      lru.set(id, { v: value, size }, { ttl: Math.round(ttl * 1000), size });
      report();
      return Promise.resolve();
    },
    remainingTtl(kind, key) {
      return Math.max(0, lru.getRemainingTTL(k(kind, key)));
    },
    bytes: () => lru.calculatedSize,
    reconfigure(next) {
      ttls = cacheTtls(next.ttlSeconds);
      const old = lru;
      // lru-cache fixes its bounds at construction: the entries move to one with the new
      // bounds, least recently used first so the most recent survive a shrink.
      lru = newLru(next);
      for (const id of [...old.rkeys()]) {
        const entry = old.peek(id);
        const kindTtlMs = ttls[id.slice(0, id.indexOf('\0')) as CacheKind] * 1000;
        const ttl = Math.min(old.getRemainingTTL(id), kindTtlMs);
        if (entry && ttl > 0) lru.set(id, entry, { ttl, size: entry.size });
      }
      report();
    },
    close() {
      lru.clear();
      options.bytesGauge?.set(0);
      return Promise.resolve();
    },
  };
}

function jsonLength(value: unknown): number | undefined {
  try {
    return JSON.stringify(value)?.length;
  } catch {
    return undefined;
  }
}
