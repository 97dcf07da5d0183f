/**
 * Verified revocation statuses, kept until the source's `nextUpdate` and never longer than
 * `maxSeconds`, at most `maxEntries` of them (least recently used dropped first). Keyed by the
 * SHA-256 of the certificate and of its issuer: a status is a fact about that pair once its
 * OCSP response or CRL verified against that issuer.
 */
import { LRUCache } from 'lru-cache';
import type { RevocationStatus } from './revocation-status.js';

export interface CachedRevocation {
  readonly status: RevocationStatus;
  readonly source: 'ocsp' | 'crl';
}

export interface RevocationCache {
  get(key: string): CachedRevocation | undefined;
  /** Stores `value` until `until` (capped); nothing is stored when that is not in the future. */
  set(key: string, value: CachedRevocation, until: Date | undefined, now: Date): void;
}

export function createRevocationCache(options: { maxEntries: number; maxSeconds: number }): RevocationCache {
  const lru = new LRUCache<string, CachedRevocation>({ max: options.maxEntries, ttlAutopurge: false, allowStale: false });
  return {
    get: (key) => lru.get(key),
    set(key, value, until, now) {
      if (!until) return;
      const ttl = Math.min(until.getTime() - now.getTime(), options.maxSeconds * 1000);
      if (ttl >= 1000) lru.set(key, value, { ttl });
    },
  };
}
