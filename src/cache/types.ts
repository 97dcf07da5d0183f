/**
 * The cache port (SPEC "Cache"). Values are JSON-serialisable. Each kind has its own TTL from
 * config `cache.ttlSeconds`; implementations: memory (lru-cache) and Redis (shared by replicas,
 * falling back to memory when Redis is down). Tokens and credentials never go to Redis in plain
 * text: the Redis implementation encrypts the `token` kind or keeps it in memory only.
 */
export type CacheKind = 'digest' | 'referrers' | 'results' | 'token' | 'negative' | 'manifest';

export interface Cache {
  get<T>(kind: CacheKind, key: string): Promise<T | undefined>;
  /** `ttlSeconds` shortens the kind's configured TTL (e.g. to a token's or a signature's expiry); it never lengthens it. */
  set<T>(kind: CacheKind, key: string, value: T, ttlSeconds?: number): Promise<void>;
  close(): Promise<void>;
}
