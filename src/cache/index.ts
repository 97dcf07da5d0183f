/** Public surface of the cache (what the composition root imports). */
export type { Cache, CacheKind } from './types.js';
export { createCache, type CacheConfig } from './create-cache.js';
export { createMemoryCache, type MemoryCacheOptions } from './memory-cache.js';
export { createRedisCache, type RedisCacheOptions } from './redis-cache.js';
export { createSingleFlight, type SingleFlight } from './single-flight.js';
export { createCachingRegistryClient } from './caching-registry-client.js';
export { cacheTtls, DEFAULT_CACHE_TTLS, type CacheTtls } from './cache-ttls.js';
export { createRegistryAccess, type RegistryAccess, type RegistryAccessOptions } from './create-registry-access.js';
