/**
 * `cache.redis.url` names a Sentinel or a Cluster as well as one server (issue 15, "more than
 * one replica"): two replicas share sealed entries through a real Sentinel-managed master and
 * through a real (one-node) Redis Cluster.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { staticCacheKeyRing } from '../../../src/cache/cache-key-ring.js';
import { createRedisCache } from '../../../src/cache/redis-cache.js';
import type { Cache } from '../../../src/cache/types.js';
import { createMetrics } from '../../../src/observability/metrics.js';
import { startRedisCluster, startRedisSentinel, type RunningCluster, type RunningSentinel } from '../../helpers/redis-topologies.js';

const KEY = Buffer.from('k'.repeat(64));

describe.each([
  ['a Sentinel', startRedisSentinel],
  ['a Cluster', startRedisCluster],
] as const)('the Redis cache through %s', (_what, start) => {
  let redis: RunningSentinel | RunningCluster;
  const caches: Cache[] = [];
  beforeAll(async () => { redis = await start(); }, 30_000);
  afterAll(async () => {
    for (const c of caches) await c.close();
    await redis?.stop();
  });

  it('shares an entry written by one replica with another', async () => {
    const metrics = createMetrics(undefined, { defaults: false });
    const a = await createRedisCache({ url: redis.url, keyRing: staticCacheKeyRing([KEY]) });
    caches.push(a);
    const b = await createRedisCache({ url: redis.url, keyRing: staticCacheKeyRing([KEY]), metrics });
    caches.push(b);
    await a.set('results', 'reg/app|sha256:aa|sha256:bb|release', { valid: true });
    expect(await b.get('results', 'reg/app|sha256:aa|sha256:bb|release')).toEqual({ valid: true });
    expect(await metrics.registry.metrics()).toContain('portcullis_cache_requests_total{kind="results",result="hit"} 1');
  });
});
