import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { createHash } from 'node:crypto';
import { createRegistryClient, type PortcullisRegistryClient } from '../../../src/oci/registry-client.js';
import { configCredentialProvider } from '../../../src/oci/credentials/config-credential-provider.js';
import { createCachingRegistryClient } from '../../../src/cache/caching-registry-client.js';
import { createMemoryCache } from '../../../src/cache/memory-cache.js';
import { parseReference } from '../../../src/oci/reference.js';
import { deadlineSignal } from '../../../src/oci/deadline.js';
import { OCI_INDEX, OCI_MANIFEST } from '../../../src/oci/media-types.js';
import { startRegistry, type RunningRegistry } from '../../helpers/registry-server.js';
import { pushImage, type PushedDescriptor } from '../../helpers/push-image.js';
import { startFaultProxy, type Fault, type FaultProxy } from '../../helpers/fault-proxy.js';

const isManifest = (path: string) => path.includes('/manifests/');

describe('the registry client under faults (through a proxy in front of a real registry)', () => {
  let reg: RunningRegistry;
  let proxy: FaultProxy;
  let image: PushedDescriptor;
  let client: PortcullisRegistryClient;
  const ref = () => parseReference(`${proxy.host}/app/web:1.0`);

  beforeAll(async () => {
    reg = await startRegistry('olareg');
    image = await pushImage(`${reg.host}/app/web:1.0`, { content: 'web' });
    proxy = await startFaultProxy(reg.host);
    client = createRegistryClient({ insecure: [proxy.host], retry: { baseDelayMs: 20, maxDelayMs: 100 } });
  }, 60_000);
  afterEach(() => { proxy.reset(); });
  afterAll(async () => { await client?.close(); await proxy?.stop(); await reg?.stop(); });

  it('passes requests through unchanged when there is no fault', async () => {
    expect((await client.resolve(ref(), deadlineSignal(10_000))).digest).toBe(image.digest);
  });

  describe('when HEAD gives no Docker-Content-Digest', () => {
    it('falls back to GET and hashes the manifest itself', async () => {
      proxy.setFault((r) => (r.method === 'HEAD' ? { stripHeaders: ['docker-content-digest'] } : undefined));
      expect(await client.resolve(ref(), deadlineSignal(10_000))).toEqual({ mediaType: OCI_MANIFEST, digest: image.digest, size: image.size });
      expect(proxy.requests.map((r) => r.method)).toEqual(['HEAD', 'GET']);
    });
  });

  describe('when a blob is redirected to another host (storage, CDN)', () => {
    it('follows the redirect without sending the registry credentials there', async () => {
      const storage = await startFaultProxy(reg.host);
      const authed = createRegistryClient({
        insecure: [proxy.host, storage.host],
        credentials: configCredentialProvider([{ host: proxy.host, username: 'u', password: 'p' }]),
      });
      try {
        const m = await authed.getManifest(ref(), deadlineSignal(10_000));
        const layer = m.parsed.kind === 'manifest' ? m.parsed.manifest.layers[0]! : undefined;
        proxy.setFault((r): Fault | undefined => {
          if (!r.path.includes('/blobs/')) return undefined;
          if (!r.headers.authorization) return { respond: { status: 401, headers: { 'www-authenticate': 'Basic realm="registry"' } } };
          return { respond: { status: 307, headers: { location: `http://${storage.host}${r.path}` } } };
        });
        const blob = await authed.fetchBlob(ref(), layer!, deadlineSignal(10_000));
        expect(Buffer.from(blob.bytes).toString()).toBe('web');
        expect(proxy.requests.filter((r) => r.path.includes('/blobs/')).map((r) => Boolean(r.headers.authorization))).toEqual([false, true]);
        expect(storage.requests.map((r) => ({ path: r.path, authorization: r.headers.authorization }))).toEqual([{ path: `/v2/app/web/blobs/${layer!.digest}`, authorization: undefined }]);
      } finally { await authed.close(); await storage.stop(); }
    });
  });

  describe('when the body is corrupted', () => {
    it('fails a manifest fetch with DIGEST_MISMATCH', async () => {
      proxy.setFault((r) => (r.method === 'GET' && isManifest(r.path) ? { corrupt: true } : undefined));
      await expect(client.fetchManifest(ref(), { mediaType: OCI_MANIFEST, digest: image.digest, size: image.size }, deadlineSignal(10_000)))
        .rejects.toMatchObject({ code: 'DIGEST_MISMATCH' });
    });

    it('fails a manifest GET by tag with DIGEST_MISMATCH against Docker-Content-Digest', async () => {
      proxy.setFault((r) => (r.method === 'GET' && isManifest(r.path) ? { corrupt: true } : undefined));
      await expect(client.getManifest(ref(), deadlineSignal(10_000))).rejects.toMatchObject({ code: 'DIGEST_MISMATCH' });
    });

    it('fails a blob fetch with DIGEST_MISMATCH', async () => {
      const m = await client.getManifest(ref(), deadlineSignal(10_000));
      const layer = m.parsed.kind === 'manifest' ? m.parsed.manifest.layers[0]! : undefined;
      proxy.setFault((r) => (r.path.includes('/blobs/') ? { corrupt: true } : undefined));
      await expect(client.fetchBlob(ref(), layer!, deadlineSignal(10_000))).rejects.toMatchObject({ code: 'DIGEST_MISMATCH' });
    });
  });

  describe('when the registry answers 429 with Retry-After', () => {
    it('waits, retries and succeeds within the deadline', async () => {
      proxy.setFault((_r, n) => (n === 1 ? { respond: { status: 429, headers: { 'retry-after': '1' } } } : undefined));
      expect((await client.resolve(ref(), deadlineSignal(10_000))).digest).toBe(image.digest);
      expect(proxy.count()).toBe(2);
    }, 15_000);

    it('fails at once with TOO_MANY_REQUESTS when Retry-After would pass the deadline', async () => {
      proxy.setFault(() => ({ respond: { status: 429, headers: { 'retry-after': '30' } } }));
      await expect(client.resolve(ref(), deadlineSignal(2_000))).rejects.toMatchObject({ code: 'TOO_MANY_REQUESTS' });
      expect(proxy.count()).toBe(1);
    });
  });

  describe('when the registry keeps failing with 500', () => {
    it('gives up after its retries with REGISTRY_ERROR, before the deadline', async () => {
      proxy.setFault(() => ({ respond: { status: 500, body: '{"errors":[{"code":"UNKNOWN","message":"disk on fire"}]}' } }));
      const signal = deadlineSignal(10_000);
      // The registry's error code is kept; its free text never is (it may echo a token back).
      const err = await client.getManifest(ref(), signal).then(() => undefined, (e: unknown) => e as Error);
      expect(err).toMatchObject({ code: 'REGISTRY_ERROR', message: expect.stringContaining('500 UNKNOWN') });
      expect(err?.message).not.toContain('disk on fire');
      expect(signal.aborted).toBe(false);
      expect(proxy.count()).toBe(4);
    });
  });

  describe('when the registry is slow', () => {
    it('respects the deadline with DEADLINE_EXCEEDED', async () => {
      proxy.setFault(() => ({ delayMs: 10_000 }));
      await expect(client.resolve(ref(), deadlineSignal(300))).rejects.toMatchObject({ code: 'DEADLINE_EXCEEDED' });
    }, 15_000);
  });

  describe('when the manifest is hostile', () => {
    it('refuses an oversized manifest with SIZE_EXCEEDED', async () => {
      const small = createRegistryClient({ insecure: [proxy.host], maxManifestBytes: 64 });
      try {
        await expect(small.getManifest(ref(), deadlineSignal(10_000))).rejects.toMatchObject({ code: 'SIZE_EXCEEDED' });
        await expect(small.resolve(ref(), deadlineSignal(10_000))).rejects.toMatchObject({ code: 'SIZE_EXCEEDED' });
      } finally { await small.close(); }
    });

    it('refuses a body over the cap even without Content-Length', async () => {
      const big = Buffer.alloc(8 * 1024 * 1024, 0x7b);
      proxy.setFault(() => ({ respond: { status: 200, headers: { 'content-type': OCI_MANIFEST, 'content-length': '' }, body: big } }));
      await expect(client.getManifest(ref(), deadlineSignal(10_000))).rejects.toMatchObject({ code: 'SIZE_EXCEEDED' });
    });

    it('refuses a manifest that is not JSON with INVALID_MANIFEST', async () => {
      const body = 'this is not json';
      const digest = `sha256:${createHash('sha256').update(body).digest('hex')}`;
      proxy.setFault(() => ({ respond: { status: 200, headers: { 'content-type': OCI_MANIFEST, 'docker-content-digest': digest }, body } }));
      await expect(client.getManifest(ref(), deadlineSignal(10_000))).rejects.toMatchObject({ code: 'INVALID_MANIFEST' });
    });

    it('refuses an unknown manifest media type', async () => {
      proxy.setFault(() => ({ respond: { status: 200, headers: { 'content-type': 'text/html', 'docker-content-digest': image.digest }, body: '<html>' } }));
      await expect(client.resolve(ref(), deadlineSignal(10_000))).rejects.toMatchObject({ code: 'UNSUPPORTED_MEDIA_TYPE' });
    });
  });

  describe('when the token realm points elsewhere', () => {
    it('refuses to follow it with REALM_REFUSED', async () => {
      proxy.setFault(() => ({ respond: { status: 401, headers: { 'www-authenticate': 'Bearer realm="http://127.0.0.1:9/steal",service="x"' } } }));
      await expect(client.resolve(ref(), deadlineSignal(10_000))).rejects.toMatchObject({ code: 'REALM_REFUSED' });
      expect(proxy.count()).toBe(1);
    });
  });

  describe('when the referrers API paginates', () => {
    const entry = (n: number, artifactType: string) => ({ mediaType: OCI_MANIFEST, digest: `sha256:${String(n).repeat(64)}`, size: 100 + n, artifactType });
    const page = (manifests: unknown[], link?: string) => ({
      respond: {
        status: 200,
        headers: { 'content-type': OCI_INDEX, ...(link ? { link } : {}) },
        body: JSON.stringify({ schemaVersion: 2, mediaType: OCI_INDEX, manifests }),
      },
    });
    const referrersPath = () => `/v2/app/web/referrers/${image.digest}`;

    it('follows Link to the next page', async () => {
      proxy.setFault((r) => {
        if (!r.path.startsWith(referrersPath())) return undefined;
        return r.path.includes('last=1') ? page([entry(2, 'b')]) : page([entry(1, 'a')], `<${referrersPath()}?n=1&last=1>; rel="next"`);
      });
      const list = await client.listReferrers(ref(), image, deadlineSignal(10_000));
      expect(list.map((r) => r.descriptor.digest)).toEqual([entry(1, 'a').digest, entry(2, 'b').digest]);
    });

    it('filters by artifactType itself, never leaving it to the registry', async () => {
      proxy.setFault((r) => (r.path.startsWith(referrersPath()) ? page([entry(1, 'a'), entry(2, 'b')]) : undefined));
      const list = await client.listReferrers(ref(), image, deadlineSignal(10_000), { artifactType: 'b' });
      expect(list.map((r) => r.descriptor.digest)).toEqual([entry(2, 'b').digest]);
      expect(proxy.requests.filter((r) => r.path.startsWith(referrersPath())).map((r) => r.path)).toEqual([referrersPath()]);
    });

    it('stops an endless chain of pages with TOO_MANY_PAGES', async () => {
      proxy.setFault((r) => (r.path.startsWith(referrersPath()) ? page([entry(1, 'a')], `<${referrersPath()}?again>; rel="next"`) : undefined));
      await expect(client.listReferrers(ref(), image, deadlineSignal(10_000))).rejects.toMatchObject({ code: 'TOO_MANY_PAGES' });
      expect(proxy.count((r) => r.path.startsWith(referrersPath()))).toBe(10);
    });

    it('refuses a next page on another origin', async () => {
      proxy.setFault((r) => (r.path.startsWith(referrersPath()) ? page([entry(1, 'a')], '<https://elsewhere.example/v2/x>; rel="next"') : undefined));
      await expect(client.listReferrers(ref(), image, deadlineSignal(10_000))).rejects.toMatchObject({ code: 'UNEXPECTED_RESPONSE' });
    });
  });

  describe('the concurrency limit per registry', () => {
    it('keeps at most maxConcurrencyPerRegistry requests in flight', async () => {
      // A proxy of its own, so no other test's requests are counted.
      const own = await startFaultProxy(reg.host);
      const limited = createRegistryClient({ insecure: [own.host], maxConcurrencyPerRegistry: 2 });
      try {
        own.setFault(() => ({ delayMs: 50 }));
        const tags = Array.from({ length: 8 }, (_, i) => parseReference(`${own.host}/app/web:missing-${i}`));
        await Promise.all(tags.map((t) => expect(limited.resolve(t, deadlineSignal(10_000))).rejects.toMatchObject({ code: 'NOT_FOUND' })));
        expect(own.count()).toBe(8);
        expect(own.maxInFlight).toBe(2);
      } finally { await limited.close(); await own.stop(); }
    });
  });

  describe('single-flight', () => {
    it('serves 50 concurrent identical resolves with exactly 1 registry request', async () => {
      const cached = createCachingRegistryClient(client, createMemoryCache());
      const results = await Promise.all(Array.from({ length: 50 }, () => cached.resolve(ref(), deadlineSignal(10_000))));
      expect(new Set(results.map((d) => d.digest))).toEqual(new Set([image.digest]));
      expect(proxy.count()).toBe(1);
    });
  });
});

describe('referrers support, remembered per registry', () => {
  let reg: RunningRegistry;
  let proxy: FaultProxy;
  let image: PushedDescriptor;
  beforeAll(async () => {
    reg = await startRegistry('distribution');
    image = await pushImage(`${reg.host}/app/web:1.0`, { content: 'web' });
    proxy = await startFaultProxy(reg.host);
  }, 60_000);
  afterAll(async () => { await proxy?.stop(); await reg?.stop(); });

  it('asks a registry without the referrers API only once, then goes to the tag schema directly', async () => {
    const client = createRegistryClient({ insecure: [proxy.host] });
    try {
      const ref = parseReference(`${proxy.host}/app/web:1.0`);
      await client.listReferrers(ref, image, deadlineSignal(10_000));
      await client.listReferrers(ref, image, deadlineSignal(10_000));
      expect(proxy.count((r) => r.path.includes('/referrers/'))).toBe(1);
      expect(proxy.count((r) => r.path.endsWith(`/manifests/sha256-${image.digest.slice(7)}`))).toBe(2);
    } finally { await client.close(); }
  });
});
