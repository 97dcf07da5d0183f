import { LRUCache } from 'lru-cache';

export type ReferrersSupport = 'api' | 'tags';

/** What is known, per registry host, about its referrers API. */
export interface ReferrersSupportMemory {
  get(registry: string): ReferrersSupport | undefined;
  set(registry: string, support: ReferrersSupport): void;
}

export interface ReferrersSupportOptions {
  /** How long an answer is trusted before the registry is probed again (it may be upgraded). */
  ttlMs?: number;
  /** Hosts remembered at most: registry names come from pod specs, i.e. from users. */
  max?: number;
}

/**
 * A bounded, expiring memory of which registries have the referrers API. Expiry matters
 * because a registry can gain the API (an upgrade) and because one wrong answer must not stick
 * for the life of the process.
 */
export function createReferrersSupportMemory(options: ReferrersSupportOptions = {}): ReferrersSupportMemory {
  const cache = new LRUCache<string, ReferrersSupport>({ max: options.max ?? 1000, ttl: options.ttlMs ?? 15 * 60_000 });
  return {
    get: (registry) => cache.get(registry),
    set: (registry, support) => { cache.set(registry, support); },
  };
}
