import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createMetrics } from '../../../src/observability/metrics.js';
import { createRegistryClient, type PortcullisRegistryClient } from '../../../src/oci/registry-client.js';
import { parseReference } from '../../../src/oci/reference.js';
import { deadlineSignal } from '../../../src/oci/deadline.js';
import { COSIGN_LEGACY_SIGNATURE, OCI_INDEX, OCI_MANIFEST } from '../../../src/oci/media-types.js';
import type { Descriptor } from '../../../src/oci/types.js';
import { startRegistry, type RunningRegistry } from '../../helpers/registry-server.js';
import { attachArtifact, pushImage, pushIndex, type PushedDescriptor } from '../../helpers/push-image.js';

const SBOM = 'application/spdx+json';
const NOTATION = 'application/vnd.cncf.notary.signature';

interface Pushed { image: PushedDescriptor; sbom: PushedDescriptor; sig: PushedDescriptor; cosignSig: PushedDescriptor; index: PushedDescriptor; amd64: PushedDescriptor; arm64: PushedDescriptor }

/** The same content on each registry: an image, two referrers, a Cosign `.sig` tag and a multi-arch index. */
async function pushFixtures(host: string): Promise<Pushed> {
  const image = await pushImage(`${host}/app/web:1.0`, { content: 'web 1.0' });
  const subject = `${host}/app/web@${image.digest}`;
  const sbom = await attachArtifact(subject, SBOM, { content: '{"spdxVersion":"SPDX-2.3"}' });
  const sig = await attachArtifact(subject, NOTATION, { content: 'sig' });
  const cosignSig = await pushImage(`${host}/app/web:sha256-${image.digest.slice(7)}.sig`, { content: 'cosign', mediaType: 'application/vnd.dev.cosign.simplesigning.v1+json' });
  const amd64 = await pushImage(`${host}/app/multi:amd64`, { content: 'amd64', platform: 'linux/amd64' });
  const arm64 = await pushImage(`${host}/app/multi:arm64`, { content: 'arm64', platform: 'linux/arm64/v8' });
  const index = await pushIndex(`${host}/app/multi:1.0`, ['amd64', 'arm64']);
  return { image, sbom, sig, cosignSig, index, amd64, arm64 };
}

const referrersOf = (list: Descriptor[]) => list.map((d) => ({ digest: d.digest, artifactType: d.artifactType })).sort((a, b) => a.digest.localeCompare(b.digest));

const found: Partial<Record<'distribution' | 'olareg', Descriptor[]>> = {};

describe.each(['distribution', 'olareg'] as const)('createRegistryClient against %s', (kind) => {
  let reg: RunningRegistry;
  let client: PortcullisRegistryClient;
  let pushed: Pushed;
  const metrics = createMetrics(undefined, { defaults: false });

  beforeAll(async () => {
    reg = await startRegistry(kind);
    pushed = await pushFixtures(reg.host);
    client = createRegistryClient({ insecure: [reg.host], metrics });
  }, 60_000);
  afterAll(async () => { await client?.close(); await reg?.stop(); });

  describe('resolve', () => {
    it('resolves a tag to the manifest descriptor', async () => {
      const d = await client.resolve(parseReference(`${reg.host}/app/web:1.0`), deadlineSignal(10_000));
      expect(d).toEqual({ mediaType: OCI_MANIFEST, digest: pushed.image.digest, size: pushed.image.size });
    });

    it('resolves a digest reference', async () => {
      const d = await client.resolve(parseReference(`${reg.host}/app/web@${pushed.image.digest}`), deadlineSignal(10_000));
      expect(d.digest).toBe(pushed.image.digest);
    });

    it('fails with NOT_FOUND for an unknown tag', async () => {
      await expect(client.resolve(parseReference(`${reg.host}/app/web:nope`), deadlineSignal(10_000))).rejects.toMatchObject({ code: 'NOT_FOUND' });
    });

    it('refuses plain HTTP to a host not listed as insecure', async () => {
      const strict = createRegistryClient({});
      try {
        // https to a plain-HTTP registry fails at the TLS handshake: never silently downgraded.
        await expect(strict.resolve(parseReference(`${reg.host}/app/web:1.0`), deadlineSignal(5_000))).rejects.toMatchObject({ code: 'NETWORK_ERROR' });
      } finally { await strict.close(); }
    }, 20_000);

    it('counts requests in portcullis_registry_requests_total', async () => {
      const text = await metrics.registry.metrics();
      expect(text).toContain(`portcullis_registry_requests_total{registry="${reg.host}",operation="resolve",status="200"}`);
      expect(text).toContain(`portcullis_registry_request_duration_seconds_count{registry="${reg.host}",operation="resolve"}`);
    });
  });

  describe('fetchManifest and fetchBlob', () => {
    it('fetches the manifest and its layer, digest-checked', async () => {
      const ref = parseReference(`${reg.host}/app/web:1.0`);
      const m = await client.fetchManifest(ref, { mediaType: OCI_MANIFEST, digest: pushed.image.digest, size: pushed.image.size }, deadlineSignal(10_000));
      const manifest = JSON.parse(Buffer.from(m.bytes).toString()) as { layers: Descriptor[] };
      const layer = manifest.layers[0]!;
      const blob = await client.fetchBlob(ref, layer, deadlineSignal(10_000));
      expect(Buffer.from(blob.bytes).toString()).toBe('web 1.0');
    });
  });

  describe('listReferrers', () => {
    it(kind === 'olareg' ? 'lists referrers through the referrers API, plus the Cosign tag' : 'falls back to the tag schema, plus the Cosign tag', async () => {
      const ref = parseReference(`${reg.host}/app/web:1.0`);
      const list = await client.listReferrers(ref, pushed.image, deadlineSignal(10_000));
      expect(referrersOf(list.map((r) => r.descriptor))).toEqual(referrersOf([
        { ...pushed.sbom, artifactType: SBOM },
        { ...pushed.sig, artifactType: NOTATION },
        { ...pushed.cosignSig, artifactType: COSIGN_LEGACY_SIGNATURE },
      ]));
      found[kind] = list.map((r) => r.descriptor);
    });

    it('filters by artifactType', async () => {
      const list = await client.listReferrers(parseReference(`${reg.host}/app/web:1.0`), pushed.image, deadlineSignal(10_000), { artifactType: SBOM });
      expect(list.map((r) => r.descriptor.digest)).toEqual([pushed.sbom.digest]);
    });

    it('also lists referrers pushed with the tag schema, on either registry', async () => {
      // notation's default (--force-referrers-tag) and older clients write only the tag schema,
      // even to a registry that has the referrers API.
      const image = await pushImage(`${reg.host}/app/tagged:1.0`, { content: `tagged ${kind}` });
      const bySchema = await attachArtifact(`${reg.host}/app/tagged@${image.digest}`, NOTATION, { content: 'sig by schema', distributionSpec: 'v1.1-referrers-tag' });
      const byApi = kind === 'olareg' ? [await attachArtifact(`${reg.host}/app/tagged@${image.digest}`, SBOM, { content: '{}', distributionSpec: 'v1.1-referrers-api' })] : [];
      const list = await client.listReferrers(parseReference(`${reg.host}/app/tagged:1.0`), image, deadlineSignal(10_000));
      expect(referrersOf(list.map((r) => r.descriptor))).toEqual(referrersOf([{ ...bySchema, artifactType: NOTATION }, ...byApi.map((d) => ({ ...d, artifactType: SBOM }))]));
    }, 30_000);

    it('answers an empty list for a manifest without referrers', async () => {
      const list = await client.listReferrers(parseReference(`${reg.host}/app/multi:amd64`), pushed.amd64, deadlineSignal(10_000));
      expect(list).toEqual([]);
    });
  });

  describe('listPlatformManifests', () => {
    it('resolves a multi-arch index to its platform manifests', async () => {
      const p = await client.listPlatformManifests(parseReference(`${reg.host}/app/multi:1.0`), deadlineSignal(10_000));
      expect(p.descriptor).toMatchObject({ mediaType: OCI_INDEX, digest: pushed.index.digest });
      expect(p.manifests.map((d) => ({ digest: d.digest, platform: d.platform }))).toEqual([
        { digest: pushed.amd64.digest, platform: { os: 'linux', architecture: 'amd64' } },
        { digest: pushed.arm64.digest, platform: { os: 'linux', architecture: 'arm64', variant: 'v8' } },
      ]);
    });

    it('answers the manifest itself for a single-platform image', async () => {
      const p = await client.listPlatformManifests(parseReference(`${reg.host}/app/web:1.0`), deadlineSignal(10_000));
      expect(p.manifests.map((d) => d.digest)).toEqual([pushed.image.digest]);
    });
  });
});

describe('the referrers API and the tag-schema fallback', () => {
  it('return the same set for the same pushed artifacts', () => {
    expect(found.distribution).toBeDefined();
    expect(referrersOf(found.distribution!)).toEqual(referrersOf(found.olareg!));
  });
});
