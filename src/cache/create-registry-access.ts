/**
 * One call for the composition root: the configured cache, the credential chain, the registry
 * client, and the caching decorator around it. Takes plain objects shaped like config
 * `registries` and `cache` (the checked Config fits them as is).
 */
import type { Logger } from 'pino';
import type { Metrics } from '../observability/metrics.js';
import type { CredentialProvider } from '../oci/types.js';
import type { ConfiguredCredential } from '../oci/credentials/config-credential-provider.js';
import { createCredentialProvider } from '../oci/create-credential-provider.js';
import { createRegistryClient, type PortcullisRegistryClient, type RegistryClientOptions } from '../oci/registry-client.js';
import type { Cache } from './types.js';
import { createCache, type CacheConfig, type CacheDeps } from './create-cache.js';
import type { ProcessCache } from './process-cache.js';
import { createCachingRegistryClient } from './caching-registry-client.js';
import { cacheTtls } from './cache-ttls.js';

export interface RegistryAccessOptions {
  readonly registries: {
    readonly insecure?: readonly string[];
    readonly dockerConfig?: string | null;
    readonly credentials?: readonly ConfiguredCredential[];
  };
  readonly cache: CacheConfig;
  /** Providers asked before config and docker config (e.g. Kubernetes imagePullSecrets). */
  readonly extraCredentialProviders?: readonly CredentialProvider[];
  /** Limits and retry tuning passed to the client. */
  readonly client?: Omit<RegistryClientOptions, 'insecure' | 'credentials' | 'cache' | 'metrics' | 'logger'>;
  readonly metrics?: Pick<Metrics, 'registryRequests' | 'registryRequestDuration' | 'cacheRequests' | 'cacheRejectedEntries'> & Partial<Pick<Metrics, 'cacheBytes'>>;
  readonly logger?: Logger;
  /** Where `cache.redis.hmacKeys` entries are read from (files relative to `baseDir`, or Secrets). */
  readonly keySource?: CacheDeps['keySource'];
  readonly baseDir?: string;
  /**
   * The server's process-wide cache (process-cache.ts): this access takes a handle on it, and
   * closing the access gives the handle back. Absent: a cache of its own (the CLI, tests).
   */
  readonly processCache?: ProcessCache | undefined;
}

export interface RegistryAccess {
  /** The cached, single-flighted client (implements ScopedRegistryClient). */
  readonly client: PortcullisRegistryClient;
  /** The cache itself, for other decorators (verifier results use kind `results`). */
  readonly cache: Cache;
  close(): Promise<void>;
}

export async function createRegistryAccess(options: RegistryAccessOptions): Promise<RegistryAccess> {
  const cacheDeps: CacheDeps = { metrics: options.metrics, logger: options.logger, keySource: options.keySource, baseDir: options.baseDir };
  const cache = options.processCache ? await options.processCache.acquire(options.cache, cacheDeps) : await createCache(options.cache, cacheDeps);
  const inner = createRegistryClient({
    ...options.client,
    insecure: options.registries.insecure ?? [],
    credentials: createCredentialProvider({
      credentials: options.registries.credentials ?? [],
      dockerConfig: options.registries.dockerConfig ?? null,
    }, options.extraCredentialProviders ?? []),
    cache,
    ...(options.metrics ? { metrics: options.metrics } : {}),
    ...(options.logger ? { logger: options.logger } : {}),
  });
  const client = createCachingRegistryClient(inner, cache, undefined, {
    ttls: cacheTtls(options.cache.ttlSeconds),
    ...(options.metrics ? { metrics: options.metrics } : {}),
    ...(options.logger ? { logger: options.logger } : {}),
  });
  return {
    client,
    cache,
    async close() {
      await client.close();
      await cache.close();
    },
  };
}
