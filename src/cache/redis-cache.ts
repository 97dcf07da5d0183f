/**
 * The Redis cache (SPEC "Cache"): replicas share results through Redis, with an in-process LRU
 * in front (L1) that also serves as the fallback. Redis down → every call falls back to memory,
 * is counted (`result="fallback"`) and logged once per outage; admission goes on.
 *
 * Tokens (`token` kind) never go to Redis: they stay in process memory only, so no credential
 * or bearer token is ever stored in Redis, in plain text or otherwise.
 *
 * Commands fail fast rather than queue (`disableOfflineQueue`) and are bounded by a timeout, so
 * a hung Redis costs one timeout, not the admission deadline.
 */
import { createClient } from 'redis';
import type { Logger } from 'pino';
import type { Metrics } from '../observability/metrics.js';
import type { Cache, CacheKind } from './types.js';
import { cacheTtls } from './cache-ttls.js';
import { createMemoryCache } from './memory-cache.js';

export interface RedisCacheOptions {
  readonly url: string;
  readonly ttlSeconds?: Partial<Record<CacheKind, number>>;
  readonly maxEntries?: number;
  readonly metrics?: Pick<Metrics, 'cacheRequests'>;
  readonly logger?: Logger;
  /** Prefix of every key. Default `portcullis:`. */
  readonly keyPrefix?: string;
  /** Per-command timeout. Default 250 ms. */
  readonly commandTimeoutMs?: number;
  /** How long `createRedisCache` waits for the first connection before starting in fallback. Default 2 s. */
  readonly connectTimeoutMs?: number;
}

/** Kinds kept out of Redis (see file comment). */
const MEMORY_ONLY: ReadonlySet<CacheKind> = new Set(['token']);

interface Stored { readonly v: unknown; readonly e: number }

export async function createRedisCache(options: RedisCacheOptions): Promise<Cache> {
  const ttls = cacheTtls(options.ttlSeconds);
  const l1 = createMemoryCache({ ttlSeconds: ttls, ...(options.maxEntries !== undefined ? { maxEntries: options.maxEntries } : {}) });
  const prefix = options.keyPrefix ?? 'portcullis:';
  const timeoutMs = options.commandTimeoutMs ?? 250;
  const log = options.logger;
  const count = (kind: CacheKind, result: 'hit' | 'miss' | 'error' | 'fallback') => options.metrics?.cacheRequests.inc({ kind, result });
  let down = false;
  let closed = false;

  const client = createClient({
    url: options.url,
    disableOfflineQueue: true,
    socket: {
      connectTimeout: options.connectTimeoutMs ?? 2000,
      reconnectStrategy: (retries: number) => (closed ? false : Math.min(100 * 2 ** Math.min(retries, 5), 2000)),
    },
  });
  const markDown = (err: unknown) => {
    if (!down && !closed) log?.warn({ err: (err as Error)?.message }, 'redis cache unavailable: falling back to in-process memory');
    down = true;
  };
  client.on('error', markDown);
  client.on('ready', () => {
    if (down) log?.info('redis cache available again');
    down = false;
  });
  const connecting = client.connect();
  connecting.catch(() => undefined); // a late rejection after our timeout is handled by markDown
  try {
    await withTimeout(connecting, options.connectTimeoutMs ?? 2000);
  } catch (err) {
    // Start anyway: the client keeps reconnecting in the background.
    markDown(err);
  }

  const key = (kind: CacheKind, k: string) => `${prefix}${kind}:${k}`;
  const usable = () => client.isReady && !closed;

  return {
    async get<T>(kind: CacheKind, k: string): Promise<T | undefined> {
      const local = await l1.get<T>(kind, k);
      if (local !== undefined) { count(kind, 'hit'); return local; }
      if (MEMORY_ONLY.has(kind)) { count(kind, 'miss'); return undefined; }
      if (!usable()) { count(kind, 'fallback'); return undefined; }
      let raw: string | null;
      try {
        raw = await withTimeout(client.get(key(kind, k)), timeoutMs);
      } catch (err) {
        markDown(err);
        count(kind, 'fallback');
        return undefined;
      }
      if (raw === null) { count(kind, 'miss'); return undefined; }
      let stored: Stored;
      try {
        stored = JSON.parse(raw) as Stored;
        if (typeof stored?.e !== 'number') throw new Error('malformed entry');
      } catch {
        count(kind, 'error');
        return undefined;
      }
      const remaining = (stored.e - Date.now()) / 1000;
      if (remaining <= 0) { count(kind, 'miss'); return undefined; }
      await l1.set(kind, k, stored.v, remaining);
      count(kind, 'hit');
      return stored.v as T;
    },
    async set<T>(kind: CacheKind, k: string, value: T, ttlSeconds?: number): Promise<void> {
      if (ttls[kind] <= 0) return;
      const ttl = ttlSeconds === undefined ? ttls[kind] : Math.min(ttlSeconds, ttls[kind]);
      if (ttl <= 0) return;
      await l1.set(kind, k, value, ttl);
      if (MEMORY_ONLY.has(kind)) return;
      if (!usable()) { count(kind, 'fallback'); return; }
      const stored: Stored = { v: value, e: Date.now() + ttl * 1000 };
      try {
        await withTimeout(client.set(key(kind, k), JSON.stringify(stored), { expiration: { type: 'PX', value: Math.max(1, Math.round(ttl * 1000)) } }), timeoutMs);
      } catch (err) {
        markDown(err);
        count(kind, 'fallback');
      }
    },
    async close() {
      closed = true;
      await l1.close();
      try {
        if (client.isReady) await withTimeout(client.close(), 1000);
      } catch { /* destroyed below */ }
      // Stops any reconnection loop, so a closed cache never keeps the process alive.
      try { if (client.isOpen) client.destroy(); } catch { /* already closed */ }
    },
  };
}

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => { timer = setTimeout(() => reject(new Error(`redis command timed out after ${ms} ms`)), ms); });
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
}
