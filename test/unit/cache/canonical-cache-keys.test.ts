/**
 * Cache keys hold the canonical registry identity (docs/registry-identity.md): two spellings of
 * one image share an entry, and another registry (another port, another host) never reads one.
 * A shared entry across registries would let a verdict for one registry answer for another.
 */
import { describe, expect, it } from '@jest/globals';
import { createCachingRegistryClient } from '../../../src/cache/caching-registry-client.js';
import { createMemoryCache } from '../../../src/cache/memory-cache.js';
import { parseReference } from '../../../src/oci/reference.js';
import { resultCacheKey } from '../../../src/validation/result-cache-key.js';
import { fakeRegistryClient } from '../../helpers/fake-registry-client.js';
import { createFakeVerifier } from '../../helpers/fake-verifier.js';

const D = { mediaType: 'application/vnd.oci.image.manifest.v1+json', digest: `sha256:${'1'.repeat(64)}`, size: 10 };
const signal = new AbortController().signal;

describe('cache keys', () => {
  it('answer every spelling of one image from one resolve', async () => {
    const fake = fakeRegistryClient({ 'registry.corp.example/prod/app:1': D, 'docker.io/library/nginx:1': D });
    const client = createCachingRegistryClient(fake, createMemoryCache());
    for (const image of ['registry.corp.example/prod/app:1', 'REGISTRY.corp.example/prod/app:1', 'registry.corp.example:443/prod/app:1']) {
      expect(await client.resolve(parseReference(image), signal)).toEqual(D);
    }
    for (const image of ['nginx:1', 'registry-1.docker.io/library/nginx:1', 'index.docker.io/nginx:1']) {
      expect(await client.resolve(parseReference(image), signal)).toEqual(D);
    }
    expect(fake.calls.resolve).toBe(2);
  });

  it('never answer another port or host from that entry', async () => {
    const fake = fakeRegistryClient({ 'registry.corp.example/prod/app:1': D });
    const client = createCachingRegistryClient(fake, createMemoryCache());
    await client.resolve(parseReference('registry.corp.example/prod/app:1'), signal);
    for (const image of ['registry.corp.example:5000/prod/app:1', 'registry.corp.example:80/prod/app:1', 'registry.corp.example.evil.example/prod/app:1']) {
      await expect(client.resolve(parseReference(image), signal)).rejects.toMatchObject({ code: 'NOT_FOUND' });
    }
    expect(fake.calls.resolve).toBe(4);
  });

  it('give verifier results one key per canonical image, another per registry', () => {
    const verifier = createFakeVerifier({ name: 'release', type: 'notation', artifactTypes: ['sig'] });
    const key = (image: string) => {
      const ref = parseReference(image);
      return resultCacheKey({ registry: ref.registry, repository: ref.repository, digest: D.digest }, D.digest, verifier, []);
    };
    expect(key('REGISTRY.corp.example:443/prod/app')).toBe(key('registry.corp.example/prod/app'));
    expect(key('registry-1.docker.io/nginx')).toBe(key('nginx'));
    expect(key('registry.corp.example:5000/prod/app')).not.toBe(key('registry.corp.example/prod/app'));
    expect(key('docker.io.evil.example/library/nginx')).not.toBe(key('nginx'));
  });
});
