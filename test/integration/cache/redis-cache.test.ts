import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createClient } from 'redis';
import { createCache } from '../../../src/cache/create-cache.js';
import { createCachingRegistryClient } from '../../../src/cache/caching-registry-client.js';
import type { Cache } from '../../../src/cache/types.js';
import { createMetrics } from '../../../src/observability/metrics.js';
import { createLogger } from '../../../src/observability/logger.js';
import { createRegistryClient, type PortcullisRegistryClient } from '../../../src/oci/registry-client.js';
import { parseReference } from '../../../src/oci/reference.js';
import { deadlineSignal } from '../../../src/oci/deadline.js';
import { freePort, startRegistry, type RunningRegistry } from '../../helpers/registry-server.js';
import { pushImage, type PushedDescriptor } from '../../helpers/push-image.js';
import { startFaultProxy, type FaultProxy } from '../../helpers/fault-proxy.js';
import { startRedisServer, type RunningRedis } from '../../helpers/redis-server.js';
import { createCacheHmacKeys } from '../../helpers/cache-hmac-keys.js';

describe('the Redis cache', () => {
  let redis: RunningRedis;
  let reg: RunningRegistry;
  let proxy: FaultProxy;
  let image: PushedDescriptor;
  const metrics = createMetrics(undefined, { defaults: false });
  const caches: Cache[] = [];
  const clients: PortcullisRegistryClient[] = [];

  async function replica(): Promise<PortcullisRegistryClient> {
    const cache = await createCache({ type: 'redis', redis: { url: redis.url, hmacKeys: [keyFile] }, ttlSeconds: { digest: 60 } }, { metrics });
    caches.push(cache);
    const inner = createRegistryClient({ insecure: [proxy.host], cache });
    clients.push(inner);
    return createCachingRegistryClient(inner, cache);
  }

  const keys = createCacheHmacKeys();
  const keyFile = keys.write('current');

  beforeAll(async () => {
    redis = await startRedisServer();
    reg = await startRegistry('olareg');
    image = await pushImage(`${reg.host}/app/web:1.0`, { content: 'web' });
    await pushImage(`${reg.host}/app/web:2.0`, { content: 'web 2' });
    proxy = await startFaultProxy(reg.host);
  }, 60_000);
  afterAll(async () => {
    for (const c of clients) await c.close();
    for (const c of caches) await c.close();
    await proxy?.stop(); await reg?.stop(); await redis?.stop();
    keys.cleanup();
  });

  it('shares results between two client instances', async () => {
    const a = await replica();
    const b = await replica();
    const ref = parseReference(`${proxy.host}/app/web:1.0`);
    expect((await a.resolve(ref, deadlineSignal(10_000))).digest).toBe(image.digest);
    expect((await b.resolve(ref, deadlineSignal(10_000))).digest).toBe(image.digest);
    expect(proxy.count()).toBe(1);
  });

  it('never writes tokens to Redis', async () => {
    const cache = caches[0]!;
    await cache.set('token', 'realm|svc|scope|id', { token: 'secret-bearer', expiresAt: Date.now() + 60_000 });
    const raw = createClient({ url: redis.url });
    await raw.connect();
    try {
      const keys = await raw.keys('*');
      expect(keys.some((k) => k.includes('token'))).toBe(false);
      for (const k of keys) expect(await raw.get(k)).not.toContain('secret-bearer');
    } finally { await raw.close(); }
    expect(await cache.get('token', 'realm|svc|scope|id')).toMatchObject({ token: 'secret-bearer' });
  });

  it('keeps answering from memory and the registry when Redis is killed', async () => {
    const a = await replica();
    const ref1 = parseReference(`${proxy.host}/app/web:1.0`);
    const ref2 = parseReference(`${proxy.host}/app/web:2.0`);
    await a.resolve(ref1, deadlineSignal(10_000));
    await redis.kill();
    expect((await a.resolve(ref1, deadlineSignal(10_000))).digest).toBe(image.digest);
    const d2 = await a.resolve(ref2, deadlineSignal(10_000));
    expect(d2.digest).toMatch(/^sha256:/);
    const text = await metrics.registry.metrics();
    expect(text).toMatch(/portcullis_cache_requests_total\{kind="digest",result="fallback"\} [1-9]/);
  }, 20_000);

  describe('when Redis is not reachable at start', () => {
    it('starts anyway and answers from memory, counting and logging the fallback', async () => {
      const m = createMetrics(undefined, { defaults: false });
      const lines: string[] = [];
      const logger = createLogger({ level: 'info', destination: { write: (l: string) => { lines.push(l); } } });
      const cache = await createCache({ type: 'redis', redis: { url: `redis://127.0.0.1:${await freePort()}`, hmacKeys: [keyFile] } }, { metrics: m, logger });
      try {
        expect(lines.filter((l) => l.includes('falling back to in-process memory'))).toHaveLength(1);
        await cache.set('digest', 'k', { digest: 'sha256:x' });
        expect(await cache.get('digest', 'k')).toEqual({ digest: 'sha256:x' });
        expect(await cache.get('digest', 'other')).toBeUndefined();
        expect(await m.registry.metrics()).toContain('portcullis_cache_requests_total{kind="digest",result="fallback"} 2');
      } finally { await cache.close(); }
    }, 15_000);
  });
});
