/**
 * The keys that authenticate shared cache entries (config `cache.redis.hmacKeys`, see
 * docs/cache-threat-model.md). Each configured source — a file, or a Kubernetes Secret key
 * `secret:<ns>/<name>[/<key>]` — holds one key; the first signs, every one verifies, like the
 * key list of a Kubernetes EncryptionConfiguration. A key's id is derived from its bytes, so an
 * entry names the key that signed it without the operator naming keys.
 *
 * Rotation without downtime: add the new key second (verify only) everywhere, then move it
 * first, then drop the old one once `cache.ttlSeconds.results` has passed. Sources are watched;
 * a change is applied at once. A change that cannot be read (Secret deleted, key too short) does
 * not keep the old keys — a key removed because it leaked must stop verifying — so the ring is
 * emptied (the shared cache is skipped, entries are misses) and the load is retried with backoff
 * until it applies.
 */
import { createHash } from 'node:crypto';
import type { Logger } from 'pino';
import { backoffDelay } from '../shared/backoff-delay.js';
import { ConfigError } from '../shared/coded-error.js';
import type { TrustMaterialSource } from '../trust/types.js';

/** Shortest key material accepted: 32 bytes, e.g. `openssl rand -hex 32` (64 characters). */
export const MIN_KEY_BYTES = 32;
/** Longest: a key file is small; anything bigger is a misconfiguration. */
const MAX_KEY_BYTES = 4096;

export interface CacheKey {
  /** 16 hex characters derived from the key bytes; names the key in each entry. */
  readonly id: string;
  readonly secret: Buffer;
}

export interface CacheKeyRing {
  /** The key that signs new entries; undefined while no valid material is loaded. */
  signing(): CacheKey | undefined;
  /** A key that may verify an entry naming `id`, or undefined. */
  verifying(id: string): CacheKey | undefined;
  close(): void;
}

export interface CacheKeyRingOptions {
  readonly logger?: Logger | undefined;
  /** Config path for messages, e.g. `cache.redis.hmacKeys`. */
  readonly path?: string;
  /** Follow source changes (default true). */
  readonly watch?: boolean;
  /** First retry delay after a failed reload, doubled up to 60 s (default 1 s). */
  readonly retryMs?: number;
}

/** Derives the key id: a domain-separated digest of the key, which reveals nothing usable of it. */
export function cacheKeyId(secret: Uint8Array): string {
  return createHash('sha256').update('portcullis cache key id\0').update(secret).digest('hex').slice(0, 16);
}

/** A ring over fixed keys (tests and callers that manage material themselves). */
export function staticCacheKeyRing(secrets: readonly Uint8Array[]): CacheKeyRing {
  const keys = secrets.map((s, i) => toKey(s, `key ${i}`));
  return ringOver(keys, () => undefined);
}

/**
 * Loads every source once (a failure is a ConfigError naming the entry: the config is refused,
 * the running one kept) and then follows their changes.
 */
export async function loadCacheKeyRing(sources: readonly TrustMaterialSource[], options: CacheKeyRingOptions = {}): Promise<CacheKeyRing> {
  const path = options.path ?? 'cache.redis.hmacKeys';
  if (sources.length === 0) throw new ConfigError('INVALID_CONFIG', path, 'at least one key is required');
  const loadAll = async (): Promise<CacheKey[]> => {
    const keys: CacheKey[] = [];
    for (const [i, source] of sources.entries()) {
      const at = `${path}[${i}]`;
      let material;
      try {
        material = await source.load(AbortSignal.timeout(10_000));
      } catch (cause) {
        throw new ConfigError('INVALID_CONFIG', at, `cannot read the cache key (${(cause as Error).message})`, { cause });
      }
      if (material.length !== 1) throw new ConfigError('INVALID_CONFIG', at, `names ${material.length} keys; name exactly one (secret:<namespace>/<name>/<key> or a file)`);
      keys.push(toKey(material[0]!.bytes, at));
    }
    return keys;
  };

  let keys = await loadAll();
  const log = options.logger;
  let timer: NodeJS.Timeout | undefined;
  let closed = false;
  let generation = 0;
  const baseRetry = options.retryMs ?? 1000;

  const reload = (attempt: number): void => {
    clearTimeout(timer);
    const mine = ++generation;
    loadAll().then((next) => {
      if (closed || mine !== generation) return;
      const changed = next.map((k) => k.id).join(',') !== keys.map((k) => k.id).join(',');
      keys = next;
      if (changed || attempt > 0) log?.info({ keyIds: next.map((k) => k.id) }, 'cache keys reloaded');
    }, (err: unknown) => {
      if (closed || mine !== generation) return;
      keys = [];
      const delay = backoffDelay(attempt, baseRetry, 60_000);
      log?.error({ err: (err as Error).message, retryInMs: delay }, 'cache keys cannot be read: the shared cache is skipped until they can');
      timer = setTimeout(() => reload(attempt + 1), delay);
      timer.unref();
    });
  };
  const unwatch = (options.watch ?? true) ? sources.map((s) => s.watch(() => reload(0))) : [];
  return ringOver(() => keys, () => {
    closed = true;
    clearTimeout(timer);
    for (const u of unwatch) u();
  });
}

function ringOver(keys: readonly CacheKey[] | (() => readonly CacheKey[]), close: () => void): CacheKeyRing {
  const current = typeof keys === 'function' ? keys : () => keys;
  return {
    signing: () => current()[0],
    verifying: (id) => current().find((k) => k.id === id),
    close,
  };
}

function toKey(bytes: Uint8Array, at: string): CacheKey {
  // Surrounding whitespace is dropped: `echo … > file` and `--from-literal` differ by a newline.
  const secret = Buffer.from(Buffer.from(bytes).toString('latin1').trim(), 'latin1');
  if (secret.length < MIN_KEY_BYTES) throw new ConfigError('INVALID_CONFIG', at, `the cache key is ${secret.length} bytes; at least ${MIN_KEY_BYTES} are required (e.g. openssl rand -hex 32)`);
  if (secret.length > MAX_KEY_BYTES) throw new ConfigError('INVALID_CONFIG', at, `the cache key is over ${MAX_KEY_BYTES} bytes`);
  return { id: cacheKeyId(secret), secret };
}
