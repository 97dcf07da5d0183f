/**
 * Issue 14, memory budget: the in-process cache is bounded by bytes. A hostile registry (a
 * proxy in front of a real one) answers every referrers request with a ~300 KiB listing; a Pod
 * of 8 such images makes a real Portcullis cache far more than `cache.maxBytes`, and
 * `portcullis_cache_bytes` on /metrics never goes over it. An entry over `cache.maxEntryBytes`
 * is not kept at all.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { generateKeyPairSync } from 'node:crypto';
import { startFaultProxy, type FaultProxy } from '../../helpers/fault-proxy.js';
import { pushImage } from '../../helpers/push-image.js';
import { startRegistry, type RunningRegistry } from '../../helpers/registry-server.js';
import { startTestPortcullis, type TestPortcullis } from '../../helpers/start-test-portcullis.js';

const MAX_BYTES = 1024 * 1024;
const IMAGES = 8;

/** An OCI referrers index of `count` descriptors carrying `annotationBytes` of annotation each. */
function bigListing(count: number, annotationBytes: number): string {
  const manifests = Array.from({ length: count }, (_, i) => ({
    mediaType: 'application/vnd.oci.image.manifest.v1+json',
    digest: `sha256:${i.toString(16).padStart(64, '0')}`,
    size: 1000,
    artifactType: 'application/vnd.example.filler',
    annotations: { 'org.example.filler': 'x'.repeat(annotationBytes) },
  }));
  return JSON.stringify({ schemaVersion: 2, mediaType: 'application/vnd.oci.image.index.v1+json', manifests });
}

describe('the in-process cache under a hostile registry', () => {
  let registry: RunningRegistry;
  let proxy: FaultProxy;
  let portcullis: TestPortcullis;
  let images: string[];
  let listingBytes = bigListing(600, 480);
  // A verifier, so that validation lists referrers; nothing here is signed.
  const publicKey = generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey.export({ type: 'spki', format: 'pem' }).toString();
  const config = () => ({
    registries: { insecure: [proxy.host] },
    cache: { maxBytes: MAX_BYTES, maxEntryBytes: 512 * 1024 },
    verifiers: [{ name: 'release-key', type: 'cosign', key: publicKey, tlog: { required: false } }],
  });

  const cacheBytes = async (): Promise<number> => {
    const text = await (await fetch(`${portcullis.running.metricsUrl}/metrics`)).text();
    const line = text.split('\n').find((l) => l.startsWith('portcullis_cache_bytes '));
    if (!line) throw new Error('no portcullis_cache_bytes on /metrics');
    return Number(line.split(' ')[1]);
  };
  const validate = async (refs: readonly string[]) => {
    const review = {
      apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview',
      request: {
        uid: 'bytes', kind: { group: '', version: 'v1', kind: 'Pod' }, resource: { group: '', version: 'v1', resource: 'pods' },
        name: 'p', namespace: 'default', operation: 'CREATE', userInfo: { username: 'u', groups: [] },
        object: { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', namespace: 'default' }, spec: { containers: refs.map((image, i) => ({ name: `c${i}`, image })) } },
        oldObject: null, dryRun: false,
      },
    };
    const res = await portcullis.review('/validate?timeout=10s', review, { timeoutMs: 15_000 });
    expect(res.status).toBe(200);
  };

  beforeAll(async () => {
    registry = await startRegistry('olareg');
    proxy = await startFaultProxy(registry.host);
    const pushed = [];
    for (let i = 0; i < IMAGES; i++) pushed.push(await pushImage(`${registry.host}/hostile/app${i}:1`, { content: `image ${i}` }));
    images = pushed.map((d, i) => `${proxy.host}/hostile/app${i}:1@${d.digest}`);
    proxy.setFault((req) => (req.method === 'GET' && req.path.includes('/referrers/')
      ? { respond: { status: 200, headers: { 'content-type': 'application/vnd.oci.image.index.v1+json' }, body: listingBytes } }
      : undefined));
    portcullis = await startTestPortcullis({ config: config() });
  }, 60_000);
  afterAll(async () => {
    await portcullis?.close();
    await proxy?.stop();
    await registry?.stop();
  });

  it('keeps the bytes it holds under cache.maxBytes however much the registry sends', async () => {
    expect(listingBytes.length).toBeGreaterThan(250 * 1024);
    await validate(images);
    const afterOne = await cacheBytes();
    // 8 listings of ~300 KiB were read and cached in turn; about three fit.
    expect(afterOne).toBeLessThanOrEqual(MAX_BYTES);
    expect(afterOne).toBeGreaterThan(MAX_BYTES / 2);
    await validate(images);
    expect(await cacheBytes()).toBeLessThanOrEqual(MAX_BYTES);
  }, 60_000);

  it('does not keep a listing over cache.maxEntryBytes', async () => {
    listingBytes = bigListing(1200, 480); // ~600 KiB
    // The cache outlives a config change (docs/caching.md): it keeps what it holds under the new
    // bounds, so what this asserts is that the bigger listing adds nothing to it.
    await portcullis.reconfigure({ ...config(), cache: { maxBytes: MAX_BYTES, maxEntryBytes: 512 * 1024 - 1 } });
    const before = proxy.count((r) => r.path.includes('/referrers/'));
    const bytesBefore = await cacheBytes();
    await validate(images.slice(0, 1));
    await validate(images.slice(0, 1));
    // Not cached: each validation lists again.
    expect(proxy.count((r) => r.path.includes('/referrers/')) - before).toBe(2);
    expect(listingBytes.length).toBeGreaterThan(512 * 1024);
    expect(await cacheBytes() - bytesBefore).toBeLessThan(64 * 1024);
  }, 60_000);
});
