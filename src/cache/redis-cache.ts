/**
 * The Redis cache (SPEC "Cache"): replicas share results through Redis, with an in-process LRU
 * in front (L1) that also serves as the fallback. Redis down → every call falls back to memory,
 * is counted (`result="fallback"`) and logged once per outage; admission goes on.
 *
 * Redis is untrusted storage (docs/cache-threat-model.md): every entry is sealed with
 * HMAC-SHA256 over its kind, key, expiry and value (signed-entry.ts) under the key ring's
 * signing key, and read back only if a ring key verifies it. A forged, tampered, oversized or
 * unauthenticated entry is a miss, counted in `portcullis_cache_rejected_entries_total{kind,
 * reason}` — never a result. Reads are capped (`GETRANGE`), so a planted huge value costs
 * at most `maxEntryBytes`.
 *
 * Tokens (`token` kind) never go to Redis: they stay in process memory only, so no credential
 * or bearer token is ever stored in Redis, in plain text or otherwise.
 *
 * Commands fail fast rather than queue (`disableOfflineQueue`) and are bounded by a timeout, so
 * a hung Redis costs one timeout, not the admission deadline.
 */
import { ErrorReply } from 'redis';
import type { Logger } from 'pino';
import type { Metrics } from '../observability/metrics.js';
import type { Cache, CacheKind } from './types.js';
import type { CacheKeyRing } from './cache-key-ring.js';
import { cacheTtls } from './cache-ttls.js';
import { DEFAULT_CACHE_MAX_ENTRY_BYTES } from './cache-limits.js';
import { createMemoryCache } from './memory-cache.js';
import { createRedisConnection, type RedisConnection } from './redis-connection.js';
import { openEntry, sealEntry, type RejectReason } from './signed-entry.js';

export interface RedisCacheOptions {
  readonly url: string;
  /** Keys that seal and verify entries (cache-key-ring.ts). */
  readonly keyRing: CacheKeyRing;
  readonly ttlSeconds?: Partial<Record<CacheKind, number>>;
  /** Bounds of the in-process L1 (memory-cache.ts); `maxEntryBytes` also caps Redis values. */
  readonly maxBytes?: number;
  readonly maxEntryBytes?: number;
  readonly maxEntries?: number;
  readonly metrics?: Pick<Metrics, 'cacheRequests' | 'cacheRejectedEntries'> & Partial<Pick<Metrics, 'cacheBytes'>>;
  readonly logger?: Logger;
  /** Prefix of every key. Default `portcullis:`. */
  readonly keyPrefix?: string;
  /** Per-command timeout. Default 250 ms. */
  readonly commandTimeoutMs?: number;
  /** How long `createRedisCache` waits for the first connection before starting in fallback. Default 2 s. */
  readonly connectTimeoutMs?: number;
  /** The connection (tests); default built from `url`. */
  readonly connection?: RedisConnection;
}

/** Kinds kept out of Redis (see file comment). */
const MEMORY_ONLY: ReadonlySet<CacheKind> = new Set(['token']);
/** Room for the entry header (`pc1 <id> <expiry> <tag>\n`, 82 bytes) on top of the value cap. */
const HEADER_ROOM = 128;

type Result = 'hit' | 'miss' | 'error' | 'fallback' | 'rejected';

export async function createRedisCache(options: RedisCacheOptions): Promise<Cache> {
  const ttls = cacheTtls(options.ttlSeconds);
  const maxEntryBytes = options.maxEntryBytes ?? DEFAULT_CACHE_MAX_ENTRY_BYTES;
  const l1 = createMemoryCache({
    ttlSeconds: ttls,
    maxEntryBytes,
    ...(options.maxBytes !== undefined ? { maxBytes: options.maxBytes } : {}),
    ...(options.maxEntries !== undefined ? { maxEntries: options.maxEntries } : {}),
    ...(options.metrics?.cacheBytes ? { bytesGauge: options.metrics.cacheBytes } : {}),
  });
  const ring = options.keyRing;
  const prefix = options.keyPrefix ?? 'portcullis:';
  const timeoutMs = options.commandTimeoutMs ?? 250;
  const readCap = maxEntryBytes + HEADER_ROOM;
  const log = options.logger;
  const count = (kind: CacheKind, result: Result) => options.metrics?.cacheRequests.inc({ kind, result });
  const rejectLogged = new Set<RejectReason>();
  const reject = (kind: CacheKind, reason: RejectReason, entry: string): undefined => {
    count(kind, 'rejected');
    options.metrics?.cacheRejectedEntries.inc({ kind, reason });
    // Once per reason and process: a poisoned Redis would otherwise flood the log.
    if (!rejectLogged.has(reason)) log?.warn({ entry, reason }, 'redis cache entry rejected (not authentic or not usable); treated as a miss');
    rejectLogged.add(reason);
    return undefined;
  };
  let down = false;
  let closed = false;

  const client = options.connection ?? createRedisConnection({
    url: options.url,
    connectTimeoutMs: options.connectTimeoutMs ?? 2000,
    reconnectStrategy: (retries: number) => (closed ? false : Math.min(100 * 2 ** Math.min(retries, 5), 2000)),
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
  // Without a readable key the shared cache can be neither trusted nor written: memory only.
  const usable = () => client.isReady && !closed && ring.signing() !== undefined;

  return {
    async get<T>(kind: CacheKind, k: string): Promise<T | undefined> {
      const local = await l1.get<T>(kind, k);
      if (local !== undefined) { count(kind, 'hit'); return local; }
      if (MEMORY_ONLY.has(kind)) { count(kind, 'miss'); return undefined; }
      if (!usable()) { count(kind, 'fallback'); return undefined; }
      const rk = key(kind, k);
      let raw: string;
      try {
        raw = await withTimeout(client.getRange(rk, readCap), timeoutMs);
      } catch (err) {
        // A reply error (e.g. WRONGTYPE: someone stored a list there) is about the entry, not the server.
        if (err instanceof ErrorReply) return reject(kind, 'malformed', rk);
        markDown(err);
        count(kind, 'fallback');
        return undefined;
      }
      if (raw === '') { count(kind, 'miss'); return undefined; }
      if (Buffer.byteLength(raw) > readCap) return reject(kind, 'oversize', rk);
      const opened = openEntry(ring, kind, rk, raw);
      if (!opened.ok) return reject(kind, opened.reason, rk);
      const remaining = (opened.expiresAt - Date.now()) / 1000;
      if (remaining <= 0) { count(kind, 'miss'); return undefined; }
      await l1.set(kind, k, opened.value, remaining);
      count(kind, 'hit');
      return opened.value as T;
    },
    async set<T>(kind: CacheKind, k: string, value: T, ttlSeconds?: number): Promise<void> {
      if (ttls[kind] <= 0) return;
      const ttl = ttlSeconds === undefined ? ttls[kind] : Math.min(ttlSeconds, ttls[kind]);
      if (!(ttl > 0)) return;
      let json: string | undefined;
      try { json = JSON.stringify(value); } catch { json = undefined; }
      if (json === undefined) return;
      await l1.set(kind, k, value, ttl, json.length);
      if (MEMORY_ONLY.has(kind)) return;
      if (Buffer.byteLength(json) > maxEntryBytes) return;
      const signing = ring.signing();
      if (!usable() || !signing) { count(kind, 'fallback'); return; }
      const rk = key(kind, k);
      const ttlMs = Math.max(1, Math.round(ttl * 1000));
      try {
        await withTimeout(client.setPx(rk, sealEntry(signing, kind, rk, Date.now() + ttlMs, json), ttlMs), timeoutMs);
      } catch (err) {
        if (err instanceof ErrorReply) return;
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
