/**
 * Entries read back from a real Redis are used only if their HMAC checks out
 * (docs/cache-threat-model.md): what someone with write access to Redis can plant or change
 * is a counted miss, and key rotation loses no entry signed by the previous key.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createClient } from 'redis';
import { cacheKeyId, staticCacheKeyRing } from '../../../src/cache/cache-key-ring.js';
import { createCache } from '../../../src/cache/create-cache.js';
import { createRedisCache } from '../../../src/cache/redis-cache.js';
import type { Cache } from '../../../src/cache/types.js';
import { createMetrics, type Metrics } from '../../../src/observability/metrics.js';
import { createCacheHmacKeys } from '../../helpers/cache-hmac-keys.js';
import { startRedisServer, type RunningRedis } from '../../helpers/redis-server.js';
import { waitFor } from '../../helpers/wait-for.js';

const K1 = Buffer.from('1'.repeat(64));
const K2 = Buffer.from('2'.repeat(64));
const RESULT = { verifier: 'release-signatures', type: 'notation', valid: true, referrer: { digest: 'sha256:aa' } };

describe('Redis cache entry authentication', () => {
  let redis: RunningRedis;
  let raw: ReturnType<typeof createClient>;
  const opened: Cache[] = [];

  async function replica(keys: readonly Buffer[], metrics?: Metrics, prefix?: string): Promise<Cache> {
    const c = await createRedisCache({ url: redis.url, keyRing: staticCacheKeyRing(keys), ...(metrics ? { metrics } : {}), keyPrefix: prefix ?? 'p:' });
    opened.push(c);
    return c;
  }
  const rejected = async (m: Metrics, kind: string, reason: string): Promise<number> => {
    const line = (await m.registry.metrics()).split('\n').find((l) => l.startsWith(`portcullis_cache_rejected_entries_total{kind="${kind}",reason="${reason}"}`));
    return line ? Number(line.split(' ').at(-1)) : 0;
  };

  beforeAll(async () => {
    redis = await startRedisServer();
    raw = createClient({ url: redis.url });
    await raw.connect();
  });
  afterAll(async () => {
    for (const c of opened) await c.close();
    await raw?.close();
    await redis?.stop();
  });

  it('stores each entry sealed under the signing key, and reads it back on another replica', async () => {
    await (await replica([K1])).set('results', 'r1', RESULT);
    const stored = await raw.get('p:results:r1');
    expect(stored).toMatch(new RegExp(`^pc1 ${cacheKeyId(K1)} \\d+ [A-Za-z0-9_-]{43}\\n\\{`));
    expect(await (await replica([K1])).get('results', 'r1')).toEqual(RESULT);
  });

  describe('an entry changed in Redis is a counted miss', () => {
    it.each([
      ['a flipped verdict', (s: string) => s.replace('"valid":true', '"valid":false'), 'bad_signature'],
      ['the old unauthenticated form', () => JSON.stringify({ v: RESULT, e: Date.now() + 60_000 }), 'malformed'],
      ['a value naming a key this replica does not hold', (s: string) => s.replace(cacheKeyId(K1), cacheKeyId(K2)), 'unknown_key'],
      ['a planted 2 MiB value', () => 'x'.repeat(2 * 1024 * 1024), 'oversize'],
    ])('%s', async (_what, tamper, reason) => {
      const key = `t-${reason}`;
      await (await replica([K1])).set('results', key, RESULT);
      await raw.set(`p:results:${key}`, tamper((await raw.get(`p:results:${key}`))!));
      const m = createMetrics(undefined, { defaults: false });
      expect(await (await replica([K1], m)).get('results', key)).toBeUndefined();
      expect(await rejected(m, 'results', reason)).toBe(1);
    });

    it('a value of another Redis type, without taking the cache down', async () => {
      await raw.lPush('p:referrers:list', 'x');
      const m = createMetrics(undefined, { defaults: false });
      const c = await replica([K1], m);
      expect(await c.get('referrers', 'list')).toBeUndefined();
      expect(await rejected(m, 'referrers', 'malformed')).toBe(1);
      await c.set('referrers', 'after', [{ digest: 'sha256:bb' }]);
      expect(await (await replica([K1])).get('referrers', 'after')).toEqual([{ digest: 'sha256:bb' }]);
    });

    it('an authentic entry copied under another key', async () => {
      await (await replica([K1])).set('digest', 'signed:1', { digest: 'sha256:signed' });
      await raw.set('p:digest:unsigned:1', (await raw.get('p:digest:signed:1'))!);
      const m = createMetrics(undefined, { defaults: false });
      expect(await (await replica([K1], m)).get('digest', 'unsigned:1')).toBeUndefined();
      expect(await rejected(m, 'digest', 'bad_signature')).toBe(1);
    });
  });

  describe('key rotation', () => {
    it('reads every entry of the previous key with no miss, and signs new ones with the current key', async () => {
      const before = await replica([K1], undefined, 'rot:');
      for (let i = 0; i < 20; i++) await before.set('results', `r${i}`, { ...RESULT, i });
      const m = createMetrics(undefined, { defaults: false });
      const after = await replica([K2, K1], m, 'rot:');
      for (let i = 0; i < 20; i++) expect(await after.get('results', `r${i}`)).toEqual({ ...RESULT, i });
      expect(await m.registry.metrics()).not.toMatch(/portcullis_cache_rejected_entries_total\{/);
      expect((await m.registry.metrics())).toContain('portcullis_cache_requests_total{kind="results",result="hit"} 20');
      await after.set('results', 'new', RESULT);
      expect((await raw.get('rot:results:new'))!.split(' ')[1]).toBe(cacheKeyId(K2));
    });

    it('follows a key file rotation in a running replica', async () => {
      const keys = createCacheHmacKeys();
      try {
        const k1 = K1.toString();
        const current = keys.write('current', k1);
        const previous = keys.write('previous', k1);
        const running = await createCache({ type: 'redis', redis: { url: redis.url, hmacKeys: [current, previous] } });
        opened.push(running);
        await running.set('results', 'rot-file-old', RESULT);
        // Rotation step: the new key signs, the old one still verifies.
        keys.write('previous', k1);
        keys.write('current', K2.toString());
        await waitFor('the running replica to sign with the new key', async () => {
          await running.set('results', 'rot-file-new', RESULT);
          return (await raw.get('portcullis:results:rot-file-new'))?.startsWith(`pc1 ${cacheKeyId(K2)} `) ? true : undefined;
        }, 10_000, 100);
        // A replica that already has the rotated files reads both generations without a miss.
        const m = createMetrics(undefined, { defaults: false });
        const fresh = await createCache({ type: 'redis', redis: { url: redis.url, hmacKeys: [current, previous] } }, { metrics: m });
        opened.push(fresh);
        expect(await fresh.get('results', 'rot-file-old')).toEqual(RESULT);
        expect(await fresh.get('results', 'rot-file-new')).toEqual(RESULT);
        expect(await m.registry.metrics()).not.toMatch(/portcullis_cache_rejected_entries_total\{/);
      } finally { keys.cleanup(); }
    }, 20_000);
  });
});
