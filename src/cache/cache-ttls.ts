/** TTLs per cache kind, from config `cache.ttlSeconds` (SPEC "Cache"), with defaults for the rest. */
import type { CacheKind } from './types.js';

export type CacheTtls = Readonly<Record<CacheKind, number>>;

export const DEFAULT_CACHE_TTLS: CacheTtls = {
  digest: 60, referrers: 60, results: 3600, negative: 10,
  // A token's own `expires_in` bounds it further (the auth layer passes it per entry).
  token: 300,
  // Manifests fetched by digest are immutable; the TTL only bounds memory.
  manifest: 3600,
};

/** Merges configured TTLs (any subset of kinds) over the defaults. */
export function cacheTtls(configured: Partial<Record<CacheKind, number>> = {}): CacheTtls {
  const out: Record<CacheKind, number> = { ...DEFAULT_CACHE_TTLS };
  for (const [k, v] of Object.entries(configured) as [CacheKind, number | undefined][]) {
    if (typeof v === 'number' && Number.isFinite(v) && v >= 0) out[k] = v;
  }
  return out;
}
