/**
 * Issue 15, "more than one replica": two Portcullis servers (each its own composition root,
 * memory cache and registry client) share one real Redis. What one replica verified, a fresh
 * replica answers with 0 registry requests — counted at a proxy in front of the real registry —
 * for /validate (referrer list and verifier results) and /mutate (tag→digest).
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createCacheHmacKeys } from '../../helpers/cache-hmac-keys.js';
import { startFaultProxy, type FaultProxy } from '../../helpers/fault-proxy.js';
import { startRedisServer, type RunningRedis } from '../../helpers/redis-server.js';
import { startSignedImagesFixture, type SignedImagesFixture } from '../../helpers/signed-images-fixture.js';
import { startTestPortcullis, type TestPortcullis } from '../../helpers/start-test-portcullis.js';

interface ReviewResponse { response: { allowed: boolean; patch?: string; status?: { message: string } } }

let uid = 0;
function podReview(images: readonly string[]): object {
  return {
    apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview',
    request: {
      uid: `replicas-${++uid}`, kind: { group: '', version: 'v1', kind: 'Pod' }, resource: { group: '', version: 'v1', resource: 'pods' },
      name: 'web', namespace: 'default', operation: 'CREATE', userInfo: { username: 'alice', groups: [] },
      object: { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'web', namespace: 'default' }, spec: { containers: images.map((image, i) => ({ name: `c${i}`, image })) } },
      oldObject: null, dryRun: false,
    },
  };
}

describe('replicas sharing one Redis', () => {
  let redis: RunningRedis;
  let fixture: SignedImagesFixture;
  let proxy: FaultProxy;
  const keys = createCacheHmacKeys();
  const keyFile = keys.write('cache-hmac');
  const replicas: TestPortcullis[] = [];
  let pinned: string[];
  let tagged: string[];

  const replica = async (): Promise<TestPortcullis> => {
    const p = await startTestPortcullis({
      config: {
        registries: { insecure: [proxy.host] },
        cache: { type: 'redis', redis: { url: redis.url, hmacKeys: [keyFile] } },
        verifiers: [fixture.notationVerifier()],
      },
    });
    replicas.push(p);
    return p;
  };
  const review = async (p: TestPortcullis, path: string, images: readonly string[]): Promise<ReviewResponse['response']> => {
    const res = await p.review(`${path}?timeout=10s`, podReview(images), { timeoutMs: 15_000 });
    expect(res.status).toBe(200);
    return res.json<ReviewResponse>().response;
  };

  beforeAll(async () => {
    redis = await startRedisServer();
    fixture = await startSignedImagesFixture({ count: 2, repositoryPrefix: 'shared/app' });
    proxy = await startFaultProxy(fixture.registry.host);
    const viaProxy = (r: string) => r.replace(fixture.registry.host, proxy.host);
    pinned = fixture.images.map((i) => `${viaProxy(i.repository)}:${i.tag}@${i.digest}`);
    tagged = fixture.images.map((i) => viaProxy(i.ref));
  }, 120_000);
  afterAll(async () => {
    for (const p of replicas) await p.close();
    await proxy?.stop();
    await fixture?.stop();
    await redis?.stop();
    keys.cleanup();
  });

  it('a fresh replica admits images another replica verified, with 0 registry requests', async () => {
    const a = await replica();
    expect((await review(a, '/mutate', tagged)).allowed).toBe(true);
    expect((await review(a, '/validate', pinned)).allowed).toBe(true);
    expect(proxy.count()).toBeGreaterThan(0);

    proxy.reset();
    const b = await replica();
    const validated = await review(b, '/validate', pinned);
    expect(validated.allowed).toBe(true);
    const mutated = await review(b, '/mutate', tagged);
    expect(mutated.allowed).toBe(true);
    // The pins B answers with are the digests A learnt.
    const patch = JSON.parse(Buffer.from(mutated.patch ?? '', 'base64').toString('utf8')) as Array<{ value: string }>;
    expect(patch.map((op) => op.value).sort()).toEqual([...pinned].sort());
    expect(proxy.requests.map((r) => `${r.method} ${r.path}`)).toEqual([]);
  }, 60_000);
});
