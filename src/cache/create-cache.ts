/** Builds the configured cache (config `cache`): memory, or Redis with memory in front and as fallback. */
import type { Logger } from 'pino';
import type { Metrics } from '../observability/metrics.js';
import { ConfigError } from '../shared/coded-error.js';
import type { Cache, CacheKind } from './types.js';
import { createMemoryCache } from './memory-cache.js';
import { createRedisCache } from './redis-cache.js';

export interface CacheConfig {
  readonly type: 'memory' | 'redis';
  readonly redis?: { readonly url: string | null } | undefined;
  readonly ttlSeconds?: Partial<Record<CacheKind, number>> | undefined;
  /** Bound on in-process entries. Default 10 000. */
  readonly maxEntries?: number | undefined;
}

export async function createCache(config: CacheConfig, deps: { metrics?: Pick<Metrics, 'cacheRequests'>; logger?: Logger } = {}): Promise<Cache> {
  const common = {
    ...(config.ttlSeconds ? { ttlSeconds: config.ttlSeconds } : {}),
    ...(config.maxEntries !== undefined ? { maxEntries: config.maxEntries } : {}),
    ...(deps.metrics ? { metrics: deps.metrics } : {}),
  };
  if (config.type === 'redis') {
    const url = config.redis?.url;
    if (!url) throw new ConfigError('INVALID_CONFIG', 'cache.redis.url', 'required when cache.type is redis');
    return createRedisCache({ url, ...common, ...(deps.logger ? { logger: deps.logger } : {}) });
  }
  return createMemoryCache(common);
}
