/**
 * Signatures and attestations made by cosign v3 (tools/cosign3, binary `cosign3`), whose
 * default is the Sigstore bundle format stored as an OCI 1.1 referrer (the referrers API on
 * olareg, the referrers tag schema on distribution), through the real validation pipeline.
 * Offline as for v2: --tlog-upload=false and no signing config from TUF. The same images also
 * carry a cosign v2 signature in the legacy `.sig` tag: both versions verify side by side.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseConfig } from '../../../../src/config/index.js';
import { silentLogger } from '../../../../src/observability/logger.js';
import { createRegistryClient, type PortcullisRegistryClient } from '../../../../src/oci/registry-client.js';
import { buildValidationPipeline, type ValidationPipeline } from '../../../../src/validation/build-validation-pipeline.js';
import type { VerifierResult } from '../../../../src/verifiers/verifier.js';
import { exampleBundle, podAdmission, slsaProvenance, vulnerabilityScan } from '../../../helpers/attestation-fixtures.js';
import { buildFixtureBundle } from '../../../helpers/build-fixture-bundle.js';
import { cosignCli, type CosignCli, type CosignKeyPair } from '../../../helpers/cosign-cli.js';
import { pushImage } from '../../../helpers/push-image.js';
import { startRegistry, type RegistryKind, type RunningRegistry } from '../../../helpers/registry-server.js';
import { PROJECT_ROOT } from '../../../helpers/tools.js';

const SLSA_V1 = 'https://slsa.dev/provenance/v1';
const VULN = 'https://cosign.sigstore.dev/attestation/vuln/v1';
const BUILDER = 'https://ci.example.test/builder';
const REPOSITORY = 'https://git.example.test/acme/app';
const BUNDLE = 'application/vnd.dev.sigstore.bundle.v0.3+json';
/** cosign v3 signs and attests offline only without the TUF signing config. */
const V3_OFFLINE = ['--use-signing-config=false'];

describe.each<RegistryKind>(['olareg', 'distribution'])('cosign v3 on %s', (kind) => {
  let registry: RunningRegistry;
  let v3: CosignCli;
  let v2: CosignCli;
  let key: CosignKeyPair;
  let client: PortcullisRegistryClient;
  let pipeline: ValidationPipeline;
  let work: string;
  const img = { signedV3: '', attestedV3: '', both: '', unsigned: '', featureV3: '', scanClean: '', scanCritical: '' };

  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), 'portcullis-cosign3-'));
    registry = await startRegistry(kind);
    v3 = cosignCli('cosign3');
    v2 = cosignCli('cosign');
    key = await v3.generateKeyPair('release');
    for (const name of Object.keys(img) as (keyof typeof img)[]) {
      const pushed = await pushImage(`${registry.host}/acme/app:${name}`, { content: `image ${name} on ${kind}` });
      img[name] = `${registry.host}/acme/app@${pushed.digest}`;
    }
    await v3.sign(img.signedV3, key, V3_OFFLINE);
    await v3.sign(img.attestedV3, key, V3_OFFLINE);
    await v3.attest(img.attestedV3, key, 'slsaprovenance1', slsaProvenance(REPOSITORY, 'refs/heads/main', BUILDER), V3_OFFLINE);
    // For the example policies: provenance of a feature branch, and two scans (predicates generated here).
    await v3.sign(img.featureV3, key, V3_OFFLINE);
    await v3.attest(img.featureV3, key, 'slsaprovenance1', slsaProvenance(REPOSITORY, 'refs/heads/feature', BUILDER), V3_OFFLINE);
    const yesterday = new Date(Date.now() - 24 * 3600_000);
    for (const [name, severities] of [['scanClean', ['HIGH']], ['scanCritical', ['CRITICAL', 'LOW']]] as const) {
      await v3.sign(img[name], key, V3_OFFLINE);
      await v3.attest(img[name], key, 'vuln', vulnerabilityScan(yesterday, severities), V3_OFFLINE);
    }
    // The same key through both versions: a v3 bundle referrer and a v2 legacy .sig tag.
    await v3.sign(img.both, key, V3_OFFLINE);
    await v2.sign(img.both, key);
    client = createRegistryClient({ insecure: [registry.host] });
    const bundle = (await buildFixtureBundle(join(PROJECT_ROOT, 'policies'), { out: join(work, 'default.tar.gz') })).path;
    pipeline = await buildValidationPipeline(
      parseConfig({
        registries: { insecure: [registry.host] },
        policy: { bundle },
        verifiers: [
          { name: 'signatures', type: 'cosign', key: key.publicKeyPath, tlog: { required: false }, predicateTypes: ['https://sigstore.dev/cosign/sign/v1'] },
          { name: 'provenance', type: 'cosign', key: key.publicKeyPath, tlog: { required: false }, predicateTypes: [SLSA_V1] },
          { name: 'legacy', type: 'cosign', key: key.publicKeyPath, tlog: { required: false }, artifactTypes: ['application/vnd.dev.cosign.artifact.sig.v1+json'] },
        ],
      }, { baseDir: work, file: null }),
      { client, logger: silentLogger(), watchPolicy: false },
    );
  }, 240_000);

  afterAll(async () => {
    await pipeline?.close();
    await client?.close();
    await registry?.stop();
    v3?.cleanup();
    v2?.cleanup();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  const results = async (image: string): Promise<{ allowed: boolean; results: readonly VerifierResult[] }> => {
    const [v] = await pipeline.validator.validateDetailed([image], podAdmission());
    return { allowed: v!.allowed, results: v!.targets[0]!.input.results };
  };

  it('verifies a cosign v3 signature: a DSSE bundle referrer with the cosign sign predicate', async () => {
    const { allowed, results: r } = await results(img.signedV3);
    expect(allowed).toBe(true);
    const sig = r.find((x) => x.verifier === 'signatures' && x.valid);
    expect(sig).toMatchObject({ artifactType: BUNDLE, message: `signed by key ${key.publicKeyPath}` });
    expect((sig!.details.signatures as Array<Record<string, unknown>>)[0]).toMatchObject({ format: 'bundle', predicateType: 'https://sigstore.dev/cosign/sign/v1', valid: true });
  }, 60_000);

  it('verifies a cosign v3 attestation and gives the policy its SLSA predicate', async () => {
    const { results: r } = await results(img.attestedV3);
    const att = r.filter((x) => x.verifier === 'provenance' && x.valid);
    expect(att).toHaveLength(1);
    expect(att[0]!.details.attestations).toEqual([expect.objectContaining({ format: 'bundle', predicateType: SLSA_V1, predicate: expect.objectContaining({ runDetails: expect.objectContaining({ builder: { id: BUILDER } }) }) })]);
    // The attestation is not taken for a signature by the verifier that accepts only cosign's sign predicate.
    const asSignature = r.filter((x) => x.verifier === 'signatures' && x.referrer.digest === att[0]!.referrer.digest);
    expect(asSignature.map((x) => (x.details.signatures as Array<Record<string, unknown>>)[0]?.failedCheck)).toEqual(['PREDICATE_TYPE_MISMATCH']);
  }, 60_000);

  it('verifies a v3 bundle and a v2 .sig signature of the same image side by side', async () => {
    const { allowed, results: r } = await results(img.both);
    expect(allowed).toBe(true);
    expect(r.filter((x) => x.valid).map((x) => [x.verifier, x.artifactType]).sort()).toEqual([
      ['legacy', 'application/vnd.dev.cosign.artifact.sig.v1+json'],
      ['signatures', BUNDLE],
    ]);
  }, 60_000);

  it('denies the unsigned image', async () => {
    expect((await results(img.unsigned)).allowed).toBe(false);
  }, 60_000);

  describe('the example policies on v3 predicates', () => {
    const examples = new Map<string, ValidationPipeline>();
    beforeAll(async () => {
      const verifiers = [
        { name: 'signatures', type: 'cosign', key: key.publicKeyPath, tlog: { required: false }, predicateTypes: ['https://sigstore.dev/cosign/sign/v1'] },
        { name: 'attestations', type: 'cosign', key: key.publicKeyPath, tlog: { required: false }, predicateTypes: [SLSA_V1, VULN] },
      ];
      const data = { slsa: { builders: [BUILDER], repositories: [REPOSITORY], protected_refs: ['refs/heads/main'] } };
      for (const example of ['slsa-provenance', 'fresh-vulnerability-scan']) {
        const bundle = await exampleBundle(example, work);
        examples.set(example, await buildValidationPipeline(
          parseConfig({ registries: { insecure: [registry.host] }, policy: { bundle, data }, verifiers }, { baseDir: work, file: null }),
          { client, logger: silentLogger(), watchPolicy: false },
        ));
      }
    }, 120_000);
    afterAll(async () => { for (const p of examples.values()) await p.close(); });
    const decide = async (example: string, image: string) => (await examples.get(example)!.validator.validate([image], podAdmission()))[0]!;

    it('slsa-provenance: allows the v3 provenance of main, denies the one of a feature branch', async () => {
      expect(await decide('slsa-provenance', img.attestedV3)).toMatchObject({ allowed: true, reasons: [] });
      expect(await decide('slsa-provenance', img.featureV3)).toMatchObject({ allowed: false, reasons: [`SLSA provenance not trusted: built by ${BUILDER} from ${REPOSITORY} at refs/heads/feature`] });
    }, 60_000);

    it('fresh-vulnerability-scan: allows yesterday\'s v3 scan without critical findings, denies the one with CVE-2026-1000 critical', async () => {
      expect(await decide('fresh-vulnerability-scan', img.scanClean)).toMatchObject({ allowed: true, reasons: [] });
      const denied = await decide('fresh-vulnerability-scan', img.scanCritical);
      expect(denied.allowed).toBe(false);
      expect(denied.reasons).toEqual([expect.stringMatching(/lists CRITICAL finding\(s\): CVE-2026-1000$/)]);
    }, 60_000);
  });
});
