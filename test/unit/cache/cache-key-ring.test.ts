import { describe, expect, it } from '@jest/globals';
import { cacheKeyId, loadCacheKeyRing, staticCacheKeyRing } from '../../../src/cache/cache-key-ring.js';
import { createFakeTrustMaterialSource } from '../../helpers/fake-trust-material-source.js';
import { waitFor } from '../../helpers/wait-for.js';
import type { TrustMaterialSource } from '../../../src/trust/types.js';
import { secretTrustSource } from '../../../src/compose-ports.js';
import { silentLogger } from '../../../src/observability/logger.js';
import { createFakeKubeApi } from '../../helpers/fake-kube-api.js';

const K1 = 'k1-'.padEnd(64, '1');
const K2 = 'k2-'.padEnd(64, '2');

describe('loadCacheKeyRing', () => {
  it('signs with the first key and verifies with all', async () => {
    const ring = await loadCacheKeyRing([createFakeTrustMaterialSource('s:a', { current: K2 }), createFakeTrustMaterialSource('s:b', { previous: K1 })]);
    expect(ring.signing()!.id).toBe(cacheKeyId(Buffer.from(K2)));
    expect(ring.verifying(cacheKeyId(Buffer.from(K1)))).toBeDefined();
    expect(ring.verifying('0000000000000000')).toBeUndefined();
    ring.close();
  });

  it('ignores surrounding whitespace, so a trailing newline in a file does not change the key', async () => {
    const ring = await loadCacheKeyRing([createFakeTrustMaterialSource('s:a', { k: `${K1}\n` })]);
    expect(ring.signing()!.id).toBe(cacheKeyId(Buffer.from(K1)));
    ring.close();
  });

  describe('refuses the config, naming the entry, for', () => {
    it.each([
      ['no key', [], 'cache.redis.hmacKeys'],
      ['a short key', [createFakeTrustMaterialSource('s:a', { k: 'short' })], 'cache.redis.hmacKeys[0]'],
      ['a source with two keys', [createFakeTrustMaterialSource('s:a', { a: K1, b: K2 })], 'cache.redis.hmacKeys[0]'],
    ])('%s', async (_what, sources, path) => {
      await expect(loadCacheKeyRing(sources)).rejects.toMatchObject({ code: 'INVALID_CONFIG', path });
    });

    it('an unreadable source', async () => {
      const s = createFakeTrustMaterialSource('s:a', { k: K1 });
      s.fail('secret portcullis/cache-hmac not found');
      await expect(loadCacheKeyRing([s])).rejects.toMatchObject({ code: 'INVALID_CONFIG', path: 'cache.redis.hmacKeys[0]' });
    });
  });

  it('follows a rotation without a restart', async () => {
    const current = createFakeTrustMaterialSource('s:a', { k: K1 });
    const previous = createFakeTrustMaterialSource('s:b', { k: K1 });
    const ring = await loadCacheKeyRing([current, previous]);
    current.set({ k: K2 });
    await waitFor('the new signing key', () => (ring.signing()?.id === cacheKeyId(Buffer.from(K2)) ? true : undefined), 5000, 10);
    expect(ring.verifying(cacheKeyId(Buffer.from(K1)))).toBeDefined();
    ring.close();
    expect(current.watchers()).toBe(0);
  });

  it('stops trusting every key when a source becomes unreadable, and recovers by retrying', async () => {
    // A source whose reads fail after the first until `healthy` is set again; its watcher
    // fires once (the change), so only the retry can bring the key back.
    let healthy = true;
    let notify: () => void = () => undefined;
    const source: TrustMaterialSource = {
      id: 'secret:portcullis/cache-hmac',
      load: () => (healthy ? Promise.resolve([{ origin: 'x', bytes: Buffer.from(K1) }]) : Promise.reject(new Error('API server unavailable'))),
      watch: (onChange) => { notify = onChange; return () => undefined; },
    };
    const ring = await loadCacheKeyRing([source], { retryMs: 10 });
    healthy = false;
    notify();
    await waitFor('the ring to empty', () => (ring.signing() === undefined ? true : undefined), 5000, 5);
    expect(ring.verifying(cacheKeyId(Buffer.from(K1)))).toBeUndefined();
    healthy = true;
    await waitFor('the ring to recover', () => ring.signing(), 5000, 5);
    ring.close();
  });
});

describe('staticCacheKeyRing', () => {
  it('refuses a short key', () => {
    expect(() => staticCacheKeyRing([Buffer.from('x')])).toThrow(expect.objectContaining({ code: 'INVALID_CONFIG' }));
  });
});

describe('loadCacheKeyRing over Kubernetes Secrets (cache.redis.hmacKeys: secret:<ns>/<name>/<key>)', () => {
  const K0 = 'k0-'.padEnd(64, '0');
  const idOf = (k: string) => cacheKeyId(Buffer.from(k));

  it('rotates when the Secret changes, and stops trusting any key when it is deleted', async () => {
    const api = createFakeKubeApi();
    api.setSecret({ namespace: 'portcullis', name: 'cache-hmac', type: 'Opaque', data: { current: K1, previous: K0 } });
    const sourceFor = secretTrustSource(api, silentLogger());
    const sources = ['secret:portcullis/cache-hmac/current', 'secret:portcullis/cache-hmac/previous'].map((spec, i) => sourceFor(spec, `cache.redis.hmacKeys[${i}]`)!);
    const ring = await loadCacheKeyRing(sources, { retryMs: 10 });
    expect(ring.signing()!.id).toBe(idOf(K1));

    api.setSecret({ namespace: 'portcullis', name: 'cache-hmac', type: 'Opaque', data: { current: K2, previous: K1 } });
    await waitFor('the rotated signing key', () => (ring.signing()?.id === idOf(K2) ? true : undefined), 5000, 5);
    expect(ring.verifying(idOf(K1))).toBeDefined();
    expect(ring.verifying(idOf(K0))).toBeUndefined();

    api.deleteSecret('portcullis', 'cache-hmac');
    await waitFor('the ring to empty', () => (ring.signing() === undefined ? true : undefined), 5000, 5);
    expect(ring.verifying(idOf(K1))).toBeUndefined();
    ring.close();
    expect(api.activeWatches()).toBe(0);
  });
});
