import { describe, expect, it } from '@jest/globals';
import { createCachingRegistryClient } from '../../../src/cache/caching-registry-client.js';
import { createMemoryCache } from '../../../src/cache/memory-cache.js';
import { parseReference } from '../../../src/oci/reference.js';
import { digestOf } from '../../../src/oci/digest.js';
import { createMetrics } from '../../../src/observability/metrics.js';
import { fakeRegistryClient } from '../../helpers/fake-registry-client.js';
import { cacheTtls } from '../../../src/cache/cache-ttls.js';
import { createRefreshAhead } from '../../../src/cache/refresh-ahead.js';

const D = { mediaType: 'application/vnd.oci.image.manifest.v1+json', digest: `sha256:${'1'.repeat(64)}`, size: 10 };
const signal = new AbortController().signal;

describe('createCachingRegistryClient', () => {
  it('shares one in-flight resolve among 50 concurrent identical lookups', async () => {
    const fake = fakeRegistryClient({ 'r.io/a:1': D }, { hold: true });
    const client = createCachingRegistryClient(fake, createMemoryCache());
    const all = Promise.all(Array.from({ length: 50 }, () => client.resolve(parseReference('r.io/a:1'), signal)));
    await new Promise((r) => setTimeout(r, 10));
    fake.release();
    expect(await all).toEqual(Array(50).fill(D));
    expect(fake.calls.resolve).toBe(1);
  });

  it('answers a repeated resolve from the cache', async () => {
    const fake = fakeRegistryClient({ 'r.io/a:1': D });
    const client = createCachingRegistryClient(fake, createMemoryCache());
    await client.resolve(parseReference('r.io/a:1'), signal);
    await client.withCredentialScope({ namespace: 'x' }).resolve(parseReference('r.io/a:1'), signal);
    expect(fake.calls.resolve).toBe(1);
  });

  it('caches "not found" as a negative result, briefly', async () => {
    const fake = fakeRegistryClient({});
    const client = createCachingRegistryClient(fake, createMemoryCache({ ttlSeconds: { negative: 0.05 } }));
    await expect(client.resolve(parseReference('r.io/missing:1'), signal)).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await expect(client.resolve(parseReference('r.io/missing:1'), signal)).rejects.toMatchObject({ code: 'NOT_FOUND' });
    expect(fake.calls.resolve).toBe(1);
    await new Promise((r) => setTimeout(r, 120));
    await expect(client.resolve(parseReference('r.io/missing:1'), signal)).rejects.toMatchObject({ code: 'NOT_FOUND' });
    expect(fake.calls.resolve).toBe(2);
  });

  it('caches one referrer list per subject and filters it per artifact type', async () => {
    const sig = { descriptor: { ...D, digest: `sha256:${'3'.repeat(64)}`, artifactType: 'sig' }, source: 'referrers-api' as const };
    const sbom = { descriptor: { ...D, digest: `sha256:${'4'.repeat(64)}`, artifactType: 'sbom' }, source: 'tag-schema' as const };
    const fake = fakeRegistryClient({}, { referrers: [sig, sbom] });
    const client = createCachingRegistryClient(fake, createMemoryCache());
    const ref = parseReference('r.io/a:1');
    expect(await client.listReferrers(ref, D, signal)).toEqual([sig, sbom]);
    expect(await client.listReferrers(ref, D, signal, { artifactType: 'sbom' })).toEqual([sbom]);
    expect(await client.listReferrers(ref, D, signal, { artifactType: 'none' })).toEqual([]);
    expect(fake.calls.listReferrers).toBe(1);
  });

  describe('when the cache holds tampered bytes for a manifest digest', () => {
    it('treats them as a miss, fetches from the registry and returns the real bytes', async () => {
      const real = Buffer.from('{"schemaVersion":2,"real":true}');
      const descriptor = { mediaType: D.mediaType, digest: digestOf(real), size: real.length };
      const ref = parseReference('r.io/a:1');
      const cache = createMemoryCache();
      await cache.set('manifest', `r.io/a@${descriptor.digest}`, { b64: Buffer.from('{"schemaVersion":2,"evil":true}').toString('base64') });
      let fetched = 0;
      const fake = fakeRegistryClient({});
      const registry = { ...fake, fetchManifest: (_r: unknown, d: typeof descriptor) => { fetched++; return Promise.resolve({ descriptor: d, bytes: real }); } };
      const metrics = createMetrics();
      const client = createCachingRegistryClient(registry, cache, undefined, { metrics });
      const got = await client.fetchManifest(ref, descriptor, signal);
      expect(Buffer.from(got.bytes).toString()).toBe(real.toString());
      expect(fetched).toBe(1);
      expect((await metrics.cacheRequests.get()).values).toContainEqual(expect.objectContaining({ labels: { kind: 'manifest', result: 'error' }, value: 1 }));
      // The real bytes replaced the tampered ones: the next read is a verified hit.
      expect(Buffer.from((await client.fetchManifest(ref, descriptor, signal)).bytes).toString()).toBe(real.toString());
      expect(fetched).toBe(1);
    });
  });
});

describe('createCachingRegistryClient refresh-ahead', () => {
  const ttls = cacheTtls({ digest: 0.2, referrers: 0.2 });
  const ref = parseReference('r.io/a:1');

  it('answers a tag read late in its life from the cache and refreshes it in the background', async () => {
    const fake = fakeRegistryClient({ 'r.io/a:1': D });
    const ahead = createRefreshAhead({ fraction: 0.5 });
    const client = createCachingRegistryClient(fake, createMemoryCache({ ttlSeconds: ttls }), undefined, { ttls, refreshAhead: ahead });
    await client.resolve(ref, signal);
    await client.resolve(ref, signal);
    expect(fake.calls.resolve).toBe(1); // young: no refresh
    await new Promise((r) => setTimeout(r, 120));
    expect(await client.resolve(ref, signal)).toEqual(D); // due: served from the cache…
    await ahead.idle();
    expect(fake.calls.resolve).toBe(2); // …and refreshed once, in the background
    await new Promise((r) => setTimeout(r, 120));
    // Past the first entry's TTL: the refreshed entry answers.
    expect(await client.resolve(ref, signal)).toEqual(D);
    await ahead.idle();
    expect(fake.calls.resolve).toBe(3);
    await client.close();
  });

  it('refreshes one key once however many readers find it due', async () => {
    const fake = fakeRegistryClient({}, { referrers: [{ descriptor: D, source: 'referrers-api' }], hold: true });
    fake.release();
    const ahead = createRefreshAhead({ fraction: 0 });
    const client = createCachingRegistryClient(fake, createMemoryCache({ ttlSeconds: ttls }), undefined, { ttls, refreshAhead: ahead });
    await client.listReferrers(ref, D, signal);
    await Promise.all(Array.from({ length: 20 }, () => client.listReferrers(ref, D, signal)));
    await ahead.idle();
    expect(fake.calls.listReferrers).toBe(2);
    await client.close();
  });

  it('never runs more refreshes at once than its bound', async () => {
    // A registry that holds every answer while `held` is set, and records the most calls open at once.
    const gate: { held?: Promise<void> } = {};
    let open = 0;
    let most = 0;
    const base = fakeRegistryClient({});
    const inner = {
      ...base,
      async resolve() {
        open++; most = Math.max(most, open);
        try { await gate.held; return D; } finally { open--; }
      },
    };
    const ahead = createRefreshAhead({ fraction: 0, maxConcurrent: 4 });
    const client = createCachingRegistryClient(inner, createMemoryCache({ ttlSeconds: ttls }), undefined, { ttls, refreshAhead: ahead });
    for (let i = 0; i < 30; i++) await client.resolve(parseReference(`r.io/a:${i}`), signal);
    most = 0;
    let release!: () => void;
    gate.held = new Promise((r) => { release = r; });
    // 30 due entries read while the registry holds: all answered from the cache, 4 refreshes open.
    for (let i = 0; i < 30; i++) expect(await client.resolve(parseReference(`r.io/a:${i}`), signal)).toEqual(D);
    expect(ahead.inFlight).toBe(4);
    expect(most).toBe(4);
    release();
    await ahead.idle();
    await client.close();
  });

  it('is off without the cache TTLs', async () => {
    const fake = fakeRegistryClient({ 'r.io/a:1': D });
    const client = createCachingRegistryClient(fake, createMemoryCache({ ttlSeconds: ttls }));
    await client.resolve(ref, signal);
    await new Promise((r) => setTimeout(r, 150));
    await client.resolve(ref, signal);
    await new Promise((r) => setTimeout(r, 20));
    expect(fake.calls.resolve).toBe(1);
  });
});
