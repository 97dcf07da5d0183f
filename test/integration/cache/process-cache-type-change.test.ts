/**
 * cache.type changed by a reload (src/cache/process-cache.ts): memory to a real Redis and back.
 * The new generation gets the new cache at once; the old generation keeps its own until it has
 * drained (closed), and only then is the old cache closed.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createProcessCache } from '../../../src/cache/process-cache.js';
import { createCacheHmacKeys } from '../../helpers/cache-hmac-keys.js';
import { startRedisServer, type RunningRedis } from '../../helpers/redis-server.js';

describe('the process cache across a cache.type change', () => {
  let redis: RunningRedis;
  const keys = createCacheHmacKeys();
  const keyFile = keys.write('current');

  beforeAll(async () => { redis = await startRedisServer(); }, 60_000);
  afterAll(async () => {
    await redis?.stop();
    keys.cleanup();
  });

  it('memory to Redis and back: the old cache serves its generation until it closes, then is closed', async () => {
    const process = createProcessCache();
    const memoryGen = await process.acquire({ type: 'memory' });
    await memoryGen.set('digest', 'app:1', 'sha256:memory');

    const redisConfig = { type: 'redis' as const, redis: { url: redis.url, hmacKeys: [keyFile] } };
    const redisGen = await process.acquire(redisConfig);
    expect(process.open()).toBe(2);
    // Separate caches: the Redis generation does not see the memory entry, the draining one still does.
    expect(await redisGen.get('digest', 'app:1')).toBeUndefined();
    expect(await memoryGen.get('digest', 'app:1')).toBe('sha256:memory');
    await redisGen.set('digest', 'app:1', 'sha256:redis');

    await memoryGen.close();
    expect(process.open()).toBe(1);
    // A generation with the same Redis settings shares the open Redis cache.
    const nextRedisGen = await process.acquire(redisConfig);
    expect(process.open()).toBe(1);
    expect(await nextRedisGen.get('digest', 'app:1')).toBe('sha256:redis');
    await redisGen.close();

    const backToMemory = await process.acquire({ type: 'memory' });
    expect(await backToMemory.get('digest', 'app:1')).toBeUndefined();
    await nextRedisGen.close();
    expect(process.open()).toBe(1);
    await process.close();
    expect(process.open()).toBe(0);
  }, 60_000);
});
