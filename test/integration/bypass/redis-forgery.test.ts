/**
 * Bypass class "Redis forges an allow" (issue 13, docs/cache-threat-model.md): whoever can
 * write to the shared Redis copies the entries a replica stored for a signed image — its
 * referrer list and its verifier result — under the unsigned image's repository and digest,
 * and a fresh replica is asked about the unsigned image. Real Redis, real registry (olareg),
 * real notation signature, real Portcullis over HTTPS with the default Rego policy.
 *
 * Before entries were authenticated, the forged entries were read back as they were and the
 * unsigned image was admitted; now they fail their HMAC, are counted, and the image is denied.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createClient } from 'redis';
import { createCacheHmacKeys } from '../../helpers/cache-hmac-keys.js';
import { pushImage } from '../../helpers/push-image.js';
import { startRedisServer, type RunningRedis } from '../../helpers/redis-server.js';
import { startSignedImagesFixture, type SignedImagesFixture } from '../../helpers/signed-images-fixture.js';
import { startTestPortcullis, type TestPortcullis } from '../../helpers/start-test-portcullis.js';

interface ReviewResponse { response: { uid: string; allowed: boolean; status?: { message: string } } }

let uid = 0;
function podReview(image: string): object {
  const id = `redis-forgery-${++uid}`;
  return {
    apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview',
    request: {
      uid: id, kind: { group: '', version: 'v1', kind: 'Pod' }, resource: { group: '', version: 'v1', resource: 'pods' },
      name: 'web', namespace: 'default', operation: 'CREATE', userInfo: { username: 'alice', groups: [] },
      object: { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'web', namespace: 'default' }, spec: { containers: [{ name: 'c', image }] } },
      oldObject: null, dryRun: false,
    },
  };
}

describe('bypass: a forged or tampered Redis entry never becomes a verdict', () => {
  let redis: RunningRedis;
  let fixture: SignedImagesFixture;
  let raw: ReturnType<typeof createClient>;
  const keys = createCacheHmacKeys();
  const keyFile = keys.write('cache-hmac');
  const replicas: TestPortcullis[] = [];
  let signed: { repository: string; digest: string };
  let unsigned: { repository: string; digest: string };

  const replica = async (): Promise<TestPortcullis> => {
    const p = await startTestPortcullis({
      config: {
        registries: { insecure: [fixture.registry.host] },
        cache: { type: 'redis', redis: { url: redis.url, hmacKeys: [keyFile] } },
        verifiers: [fixture.notationVerifier()],
      },
    });
    replicas.push(p);
    return p;
  };
  const validate = async (p: TestPortcullis, image: string): Promise<ReviewResponse['response']> => {
    const res = await p.review('/validate?timeout=10s', podReview(image), { timeoutMs: 15_000 });
    expect(res.status).toBe(200);
    return res.json<ReviewResponse>().response;
  };
  const rejected = async (p: TestPortcullis): Promise<number> =>
    (await p.running.metrics.cacheRejectedEntries.get()).values.reduce((n, v) => n + v.value, 0);

  beforeAll(async () => {
    redis = await startRedisServer();
    raw = createClient({ url: redis.url });
    await raw.connect();
    fixture = await startSignedImagesFixture({ count: 1, repositoryPrefix: 'app/signed' });
    signed = fixture.images[0]!;
    const u = await pushImage(`${fixture.registry.host}/app/unsigned:1`, { content: 'no signature here' });
    unsigned = { repository: `${fixture.registry.host}/app/unsigned`, digest: u.digest };
  }, 120_000);
  afterAll(async () => {
    for (const p of replicas) await p.close();
    await raw?.close();
    await fixture?.stop();
    await redis?.stop();
    keys.cleanup();
  });

  it('denies an unsigned image whose referrer list and verifier result were forged in Redis from a signed image\'s entries', async () => {
    const a = await replica();
    expect((await validate(a, `${signed.repository}@${signed.digest}`)).allowed).toBe(true);

    // The attack, as data: every entry about the signed image, rewritten for the unsigned one.
    const repoOf = (r: string) => r.slice(r.indexOf('/') + 1);
    const rewrite = (s: string) => s.split(signed.digest).join(unsigned.digest).split(repoOf(signed.repository)).join(repoOf(unsigned.repository));
    const stored = (await raw.keys('*')).filter((k) => k.includes(signed.digest));
    expect(stored.some((k) => k.includes(':results:'))).toBe(true);
    expect(stored.some((k) => k.includes(':referrers:'))).toBe(true);
    for (const k of stored) await raw.set(rewrite(k), rewrite((await raw.get(k))!));

    const b = await replica();
    const answer = await validate(b, `${unsigned.repository}@${unsigned.digest}`);
    expect(answer.allowed).toBe(false);
    expect(answer.status?.message).toMatch(/no valid signature/);
    expect(await rejected(b)).toBeGreaterThan(0);
  }, 60_000);

  it('counts a tampered entry of a signed image as a miss and verifies from the registry again', async () => {
    const resultKeys = (await raw.keys('*:results:*')).filter((k) => k.includes(signed.digest));
    expect(resultKeys.length).toBeGreaterThan(0);
    for (const k of resultKeys) {
      const v = (await raw.get(k))!;
      await raw.set(k, v.replace('"valid":true', '"valid":false'));
    }
    const c = await replica();
    expect((await validate(c, `${signed.repository}@${signed.digest}`)).allowed).toBe(true);
    const byReason = (await c.running.metrics.cacheRejectedEntries.get()).values;
    expect(byReason.find((v) => v.labels.kind === 'results' && v.labels.reason === 'bad_signature')?.value).toBeGreaterThan(0);
  }, 60_000);
});
