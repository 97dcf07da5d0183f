/**
 * Verifier results of one config generation, namespaced by a fingerprint of its verifier
 * config (config `verifiers`, issue 14/15 follow-up). The process cache outlives generations
 * (process-cache.ts); each result key already names its verifier's config and trust material
 * hash (src/validation/result-cache-key.ts), and this prefix makes a second, independent
 * guarantee: a reload that changes any verifier setting (a trusted identity, a trust store,
 * a key, a predicate rule) never reads a result the previous generation wrote, while a reload
 * that leaves `verifiers` as it was (log level, admission limits, policy…) keeps them warm.
 * Other kinds (registry data, tokens) do not depend on trust and pass through unchanged.
 */
import { stableHash } from '../verifiers/document/stable-hash.js';
import type { Cache } from './types.js';

/** `verifiers` as configured (plain data), hashed with sorted keys so key order does not matter. */
export function verifierFingerprint(verifiers: unknown): string {
  return stableHash(verifiers).slice(0, 32);
}

export function scopeResultsCache(cache: Cache, fingerprint: string): Cache {
  const scoped = (kind: string, key: string) => (kind === 'results' ? `${fingerprint}|${key}` : key);
  return {
    get: (kind, key) => cache.get(kind, scoped(kind, key)),
    set: (kind, key, value, ttl) => cache.set(kind, scoped(kind, key), value, ttl),
    close: () => cache.close(),
  };
}
