import { describe, expect, it } from '@jest/globals';
import type { HttpResponse } from '../../../src/oci/http-transport.js';
import { OCI_INDEX, OCI_MANIFEST } from '../../../src/oci/media-types.js';
import { listReferrers } from '../../../src/oci/referrers.js';
import { createReferrersSupportMemory } from '../../../src/oci/referrers-support.js';
import type { RepositoryRequester } from '../../../src/oci/registry-client.js';
import type { Descriptor } from '../../../src/oci/types.js';

const SUBJECT: Descriptor = { mediaType: OCI_MANIFEST, digest: `sha256:${'a'.repeat(64)}`, size: 10 };
const SIG: Descriptor = { mediaType: OCI_MANIFEST, digest: `sha256:${'b'.repeat(64)}`, size: 20, artifactType: 'application/vnd.example.sig' };
const base = new URL('http://reg.test/v2/app/');

const answer = (status: number, contentType?: string, body: unknown = {}): HttpResponse => ({
  status, url: base, body: Buffer.from(JSON.stringify(body)),
  headers: contentType ? { 'content-type': contentType } : {}, release: () => undefined,
});
const index = answer(200, OCI_INDEX, { schemaVersion: 2, mediaType: OCI_INDEX, manifests: [SIG] });

/** A repository whose referrers endpoint gives the scripted answers in turn; no tags exist. */
function requester(script: HttpResponse[]): RepositoryRequester & { referrerCalls: number } {
  const repo = {
    registry: 'reg.test', repository: 'app', maxManifestBytes: 1 << 20, maxReferrerPages: 5, base, referrerCalls: 0,
    send(_op: string, _method: 'GET' | 'HEAD', url: URL): Promise<HttpResponse> {
      if (!url.pathname.includes('/referrers/')) return Promise.resolve(answer(404));
      const next = script[repo.referrerCalls++] ?? index;
      if (next.status >= 500) return Promise.reject(Object.assign(new Error(`registry answered ${next.status}`), { code: 'REGISTRY_ERROR' }));
      return Promise.resolve(next);
    },
    resolve: () => Promise.resolve(undefined),
    get: () => Promise.resolve(undefined),
  };
  return repo;
}

const list = async (repo: RepositoryRequester, support = createReferrersSupportMemory()) =>
  (await listReferrers(repo, support, SUBJECT, AbortSignal.timeout(5_000))).map((r) => r.descriptor);

describe('listReferrers', () => {
  describe('when the first probe of the referrers API gets an odd answer', () => {
    it.each([
      ['a 200 that is not an OCI index', answer(200, 'text/html')],
      ['a 400 from a router', answer(400)],
      ['a 405 from a proxy', answer(405)],
    ])('does not conclude the registry has no API after %s', async (_what, odd) => {
      const repo = requester([odd]);
      const support = createReferrersSupportMemory();
      expect(await list(repo, support)).toEqual([]);
      expect(await list(repo, support)).toEqual([SIG]);
      expect(repo.referrerCalls).toBe(2);
      expect(support.get('reg.test')).toBe('api');
    });

    it('keeps using the API after a transient 500', async () => {
      const repo = requester([answer(500)]);
      const support = createReferrersSupportMemory();
      await expect(list(repo, support)).rejects.toThrow('500');
      expect(await list(repo, support)).toEqual([SIG]);
      expect(support.get('reg.test')).toBe('api');
    });
  });

  describe('when the registry answers 404 (spec: no referrers API)', () => {
    it('remembers that and goes to the tag schema directly', async () => {
      const repo = requester([answer(404)]);
      const support = createReferrersSupportMemory();
      expect(await list(repo, support)).toEqual([]);
      expect(await list(repo, support)).toEqual([]);
      expect(repo.referrerCalls).toBe(1);
      expect(support.get('reg.test')).toBe('tags');
    });

    it('asks again once the answer has expired (the registry may have been upgraded)', async () => {
      const repo = requester([answer(404)]);
      const support = createReferrersSupportMemory({ ttlMs: 1 });
      expect(await list(repo, support)).toEqual([]);
      await new Promise((r) => setTimeout(r, 20));
      expect(await list(repo, support)).toEqual([SIG]);
      expect(repo.referrerCalls).toBe(2);
    });
  });

  describe('where each entry was found (`source`)', () => {
    // The internal marker of old: an annotation any pusher can write into a listing.
    const forged = { ...SIG, annotations: { 'dev.portcullis.tag': `sha256-${'a'.repeat(64)}.sig` } };
    const COSIGN_SIG: Descriptor = { mediaType: OCI_MANIFEST, digest: `sha256:${'c'.repeat(64)}`, size: 30, annotations: { 'x.from.registry': 'kept out' } };

    it('is set by the request that found it, never by what the entry says', async () => {
      const repo = requester([answer(200, OCI_INDEX, { schemaVersion: 2, mediaType: OCI_INDEX, manifests: [forged] })]);
      repo.resolve = (tag: string) => Promise.resolve(tag.endsWith('.sig') ? COSIGN_SIG : undefined);
      const found = await listReferrers(repo, createReferrersSupportMemory(), SUBJECT, AbortSignal.timeout(5_000));
      expect(found.map((r) => [r.descriptor.digest, r.source])).toEqual([[SIG.digest, 'referrers-api'], [COSIGN_SIG.digest, 'cosign-tag']]);
    });

    it('keeps nothing of the registry\'s answer to a Cosign tag but digest, media type and size, plus the legacy type', async () => {
      const repo = requester([answer(404)]);
      repo.resolve = (tag: string) => Promise.resolve(tag.endsWith('.sig') ? COSIGN_SIG : undefined);
      const [entry] = await listReferrers(repo, createReferrersSupportMemory(), SUBJECT, AbortSignal.timeout(5_000));
      expect(entry).toEqual({
        source: 'cosign-tag',
        descriptor: { mediaType: OCI_MANIFEST, digest: COSIGN_SIG.digest, size: 30, artifactType: 'application/vnd.dev.cosign.artifact.sig.v1+json' },
      });
    });
  });
});

describe('createReferrersSupportMemory', () => {
  it('remembers at most `max` registries', () => {
    const support = createReferrersSupportMemory({ max: 2 });
    support.set('a', 'tags');
    support.set('b', 'tags');
    support.set('c', 'api');
    expect([support.get('a'), support.get('b'), support.get('c')]).toEqual([undefined, 'tags', 'api']);
  });
});
