/** Builds the configured cache (config `cache`): memory, or Redis with memory in front and as fallback. */
import { resolve } from 'node:path';
import type { Logger } from 'pino';
import type { Metrics } from '../observability/metrics.js';
import { ConfigError } from '../shared/coded-error.js';
import { createFileTrustMaterialSource } from '../trust/create-file-trust-material-source.js';
import type { TrustMaterialSource } from '../trust/types.js';
import type { Cache, CacheKind } from './types.js';
import { loadCacheKeyRing } from './cache-key-ring.js';
import { createMemoryCache } from './memory-cache.js';

export interface CacheConfig {
  readonly type: 'memory' | 'redis';
  readonly redis?: {
    readonly url: string | null;
    /** Files or `secret:` references, one key each; the first signs, all verify (cache-key-ring.ts). */
    readonly hmacKeys?: readonly string[] | undefined;
  } | undefined;
  readonly ttlSeconds?: Partial<Record<CacheKind, number>> | undefined;
  /** Bounds of the in-process cache (cache-limits.ts). */
  readonly maxBytes?: number | undefined;
  readonly maxEntryBytes?: number | undefined;
  readonly maxEntries?: number | undefined;
}

export interface CacheDeps {
  readonly metrics?: (Pick<Metrics, 'cacheRequests' | 'cacheRejectedEntries'> & Partial<Pick<Metrics, 'cacheBytes'>>) | undefined;
  readonly logger?: Logger | undefined;
  /** Source of a `cache.redis.hmacKeys` entry; default: a file, relative to `baseDir`. */
  readonly keySource?: ((spec: string, path: string) => TrustMaterialSource) | undefined;
  /** Folder relative key files are read from (the config file's). Default: the working directory. */
  readonly baseDir?: string | undefined;
}

/** A cache as createCache builds it; the memory cache can take a newer config's bounds in place. */
export interface ConfiguredCache extends Cache {
  /** New `ttlSeconds` and size bounds, entries kept (memory only; src/cache/process-cache.ts). */
  readonly reconfigure?: ((config: CacheConfig) => void) | undefined;
}

/** The in-process bounds and TTLs a cache config sets. */
function boundsOf(config: CacheConfig) {
  return {
    ...(config.ttlSeconds ? { ttlSeconds: config.ttlSeconds } : {}),
    ...(config.maxBytes !== undefined ? { maxBytes: config.maxBytes } : {}),
    ...(config.maxEntryBytes !== undefined ? { maxEntryBytes: config.maxEntryBytes } : {}),
    ...(config.maxEntries !== undefined ? { maxEntries: config.maxEntries } : {}),
  };
}

export async function createCache(config: CacheConfig, deps: CacheDeps = {}): Promise<ConfiguredCache> {
  const common = boundsOf(config);
  if (config.type !== 'redis') {
    const memory = createMemoryCache({ ...common, ...(deps.metrics ? { metrics: deps.metrics } : {}), ...(deps.metrics?.cacheBytes ? { bytesGauge: deps.metrics.cacheBytes } : {}) });
    // The memory cache's methods are closures (no `this`), so they can be lent as they are.
    return { get: memory.get, set: memory.set, close: memory.close, reconfigure: (next) => memory.reconfigure(boundsOf(next)) };
  }
  const url = config.redis?.url;
  if (!url) throw new ConfigError('INVALID_CONFIG', 'cache.redis.url', 'required when cache.type is redis');
  const specs = config.redis?.hmacKeys ?? [];
  // Refused rather than defaulted: a per-process key would silently stop replicas sharing,
  // and no key at all would let whoever writes to Redis plant verdicts (docs/cache-threat-model.md).
  if (specs.length === 0) throw new ConfigError('INVALID_CONFIG', 'cache.redis.hmacKeys', 'required when cache.type is redis: entries read back from a shared Redis must be authenticated (see docs/cache-threat-model.md)');
  const sourceFor = deps.keySource ?? ((spec: string) => createFileTrustMaterialSource(resolve(deps.baseDir ?? '.', spec)));
  const sources = specs.map((s, i) => sourceFor(s, `cache.redis.hmacKeys[${i}]`));
  const keyRing = await loadCacheKeyRing(sources, { logger: deps.logger });
  let cache: Cache;
  try {
    // Imported only for `cache.type: redis`: the redis client (~29 MiB of RSS alone) is not
    // loaded by a server on the memory cache (issue 15, bench/memory-startup.ts).
    const { createRedisCache } = await import('./redis-cache.js');
    cache = await createRedisCache({ url, keyRing, ...common, ...(deps.metrics ? { metrics: deps.metrics } : {}), ...(deps.logger ? { logger: deps.logger } : {}) });
  } catch (err) {
    keyRing.close();
    throw err;
  }
  const inner = cache;
  // The Redis cache's methods are closures (no `this`), so they can be lent as they are.
  return {
    get: inner.get,
    set: inner.set,
    async close() {
      keyRing.close();
      await inner.close();
    },
  };
}
