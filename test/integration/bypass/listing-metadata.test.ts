/**
 * Bypass class "listing metadata steers trust" (issue 13, class 1; docs/validation.md "The
 * trust boundary"). The attacker can push to the repository, so it writes the referrers
 * tag-schema index (`sha256-<hex>`) of its own image. No signature covers that index. Real
 * registry (distribution, which has no referrers API, so the tag schema is the listing), real
 * `notation` signatures, real `oras` pushes, real Portcullis over HTTPS.
 *
 * 1. A clean, signed SBOM made for image `good` is listed under image `evil` with the internal
 *    annotation that used to mark Cosign-tag entries. That used to skip the "referrer must name
 *    this subject" check, so `evil` passed a policy that requires a signed SBOM.
 * 2. A vulnerability report whose manifest has no creation time is listed with a fresh
 *    `org.opencontainers.image.created` in the listing entry. The verifier used to fall back to
 *    that, so the report passed `maximumAge`.
 * Both were admitted before the fix. Now both are denied with a reason.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { OCI_EMPTY, OCI_INDEX, OCI_MANIFEST, SARIF_JSON, SPDX_JSON } from '../../../src/oci/media-types.js';
import type { Descriptor } from '../../../src/oci/types.js';
import { buildFixtureBundle } from '../../helpers/build-fixture-bundle.js';
import { createNotationCli, type NotationCli } from '../../helpers/notation-cli.js';
import { validatePod, type ValidateAnswer } from '../../helpers/pod-review.js';
import { attachArtifact, pushImage } from '../../helpers/push-image.js';
import { getManifestJson, putBlob, putManifest } from '../../helpers/raw-registry.js';
import { startRegistry, type RunningRegistry } from '../../helpers/registry-server.js';
import { notationVerifierEntry } from '../../helpers/signed-images-fixture.js';
import { startTestPortcullis, type TestPortcullis } from '../../helpers/start-test-portcullis.js';
import { VECTORS } from '../../helpers/tools.js';

const OLD_MARKER = 'dev.portcullis.tag';
const CREATED = 'org.opencontainers.image.created';
const REPO = 'app';

let registry: RunningRegistry;
let notation: NotationCli;
const servers: TestPortcullis[] = [];

const tagOf = (digest: string) => digest.replace(':', '-');
const sign = (digest: string) => notation.run(['sign', '--insecure-registry', '--key', 'release', `${registry.host}/${REPO}@${digest}`]);

/** The attacker's write: `entry` added to the tag-schema index of `subject` (created if absent). */
async function listUnder(subject: string, entry: Descriptor): Promise<void> {
  const index = await getManifestJson<{ manifests?: Descriptor[] }>(registry.host, REPO, tagOf(subject), OCI_INDEX);
  const manifests = [...(index?.manifests ?? []), entry];
  await putManifest(registry.host, REPO, tagOf(subject), { schemaVersion: 2, mediaType: OCI_INDEX, manifests }, OCI_INDEX);
}

async function portcullis(config: Record<string, unknown>): Promise<TestPortcullis> {
  const p = await startTestPortcullis({ config: { registries: { insecure: [registry.host] }, ...config } });
  servers.push(p);
  return p;
}

const validate = (p: TestPortcullis, image: string): Promise<ValidateAnswer> => validatePod(p, [image]);

beforeAll(async () => {
  registry = await startRegistry('distribution');
  notation = createNotationCli();
  await notation.run(['cert', 'generate-test', 'release']);
}, 120_000);
afterAll(async () => {
  for (const p of servers) await p.close();
  notation?.cleanup();
  await registry?.stop();
});

describe('bypass: a referrer listing entry never steers trust', () => {
  it('a signed SBOM made for another image, listed with the old internal Cosign-tag annotation, does not count', async () => {
    const good = await pushImage(`${registry.host}/${REPO}:good`, { content: 'good build' });
    const evil = await pushImage(`${registry.host}/${REPO}:evil`, { content: 'evil build' });
    await sign(good.digest);
    await sign(evil.digest); // evil is signed (say, by CI) but has no approved SBOM
    const sbom = await attachArtifact(`${registry.host}/${REPO}@${good.digest}`, SPDX_JSON, { content: readFileSync(join(VECTORS, 'sbom/syft.spdx.json'), 'utf8'), mediaType: SPDX_JSON });
    await sign(sbom.digest);
    await listUnder(evil.digest, { ...sbom, artifactType: SPDX_JSON, annotations: { [OLD_MARKER]: `${tagOf(evil.digest)}.sig` } });

    const p = await portcullis({
      policy: { bundle: (await buildFixtureBundle('require-signed-sbom')).path },
      verifiers: [
        notationVerifierEntry(notation),
        { name: 'sbom-licenses', type: 'sbom', artifactTypes: [SPDX_JSON], disallowedLicenses: ['GPL-3.0-only'], requireSignature: { verifiers: ['release-signatures'] } },
      ],
    });
    // The SBOM is sound where it belongs.
    expect((await validate(p, `${registry.host}/${REPO}:good@${good.digest}`)).allowed).toBe(true);

    const image = `${registry.host}/${REPO}:evil@${evil.digest}`;
    const answer = await validate(p, image);
    expect(answer.allowed).toBe(false);
    expect(answer.status?.message).toContain(`image "${image}" denied: `);
    expect(answer.status?.message).toContain('no valid SBOM');
    expect(answer.status?.message).toContain(`referrer ${sbom.digest} names subject ${good.digest}, not ${evil.digest}: ignored`);
  }, 120_000);

  it('a vulnerability report\'s age is never read from the listing entry', async () => {
    const image = await pushImage(`${registry.host}/${REPO}:scanned`, { content: 'scanned build' });
    await sign(image.digest);
    // A real report for this image, its manifest naming the image but carrying no creation time.
    const sarif = readFileSync(join(VECTORS, 'sarif/grype/image.sarif.json'));
    const layer = await putBlob(registry.host, REPO, sarif, SARIF_JSON);
    const config = await putBlob(registry.host, REPO, Buffer.from('{}'), OCI_EMPTY);
    const report = await putManifest(registry.host, REPO, 'report', {
      schemaVersion: 2, mediaType: OCI_MANIFEST, artifactType: SARIF_JSON, config, layers: [layer],
      subject: { mediaType: image.mediaType, digest: image.digest, size: image.size },
    }, OCI_MANIFEST);
    // The listing claims it was made a minute ago.
    await listUnder(image.digest, { ...report, artifactType: SARIF_JSON, annotations: { [CREATED]: new Date(Date.now() - 60_000).toISOString() } });

    const p = await portcullis({
      verifiers: [notationVerifierEntry(notation), { name: 'fresh-scan', type: 'vulnerabilityreport', artifactTypes: [SARIF_JSON], maximumAge: '720h' }],
    });
    const ref = `${registry.host}/${REPO}:scanned@${image.digest}`;
    const answer = await validate(p, ref);
    expect(answer.allowed).toBe(false);
    expect(answer.status?.message).toContain(`image "${ref}" denied: `);
    expect(answer.status?.message).toContain('vulnerabilityreport "fresh-scan"');
    expect(answer.status?.message).toContain('has no creation time');
  }, 120_000);
});
