/**
 * In-toto statements signed with the real `notation` CLI, the way images carry them: the
 * statement pushed as an OCI artifact referrer of the image with the real `oras attach`
 * (`application/vnd.in-toto+json`, or a BuildKit-style attestation manifest with one statement
 * per layer), and `notation sign` run on that referrer. Both real registries — olareg (OCI 1.1
 * referrers API) and distribution (tag schema). Through the real validation pipeline (registry
 * client, notation verifier on the statement's signature, intoto verifier on the statement)
 * and the slsa-provenance example policy compiled to Wasm by the real opa.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { parseConfig } from '../../../../src/config/index.js';
import { silentLogger } from '../../../../src/observability/logger.js';
import { createRegistryClient, type PortcullisRegistryClient } from '../../../../src/oci/registry-client.js';
import { buildValidationPipeline, type ValidationPipeline } from '../../../../src/validation/build-validation-pipeline.js';
import type { VerifierResult } from '../../../../src/verifiers/verifier.js';
import { exampleBundle, podAdmission, slsaProvenance, spdxPredicate } from '../../../helpers/attestation-fixtures.js';
import { createNotationCli, type NotationCli } from '../../../helpers/notation-cli.js';
import { pushImage } from '../../../helpers/push-image.js';
import { startRegistry, type RegistryKind, type RunningRegistry } from '../../../helpers/registry-server.js';
import { toolPath } from '../../../helpers/tools.js';

const exec = promisify(execFile);
const SLSA_V1 = 'https://slsa.dev/provenance/v1';
const SPDX = 'https://spdx.dev/Document';
const IN_TOTO = 'application/vnd.in-toto+json';
const BUILDKIT_ATTESTATION = 'application/vnd.docker.attestation.manifest.v1+json';
const BUILDER = 'https://ci.example.test/builders/release@v1';
const REPOSITORY = 'https://git.example.test/acme/app';

function statement(digest: string, predicateType: string, predicate: unknown): string {
  return JSON.stringify({ _type: 'https://in-toto.io/Statement/v1', subject: [{ name: 'app', digest: { sha256: digest.replace('sha256:', '') } }], predicateType, predicate });
}

const provenance = (repository: string, ref: string) => slsaProvenance(repository, ref, BUILDER);

describe.each<RegistryKind>(['olareg', 'distribution'])('in-toto statements signed with notation on %s', (kind) => {
  let registry: RunningRegistry;
  let cli: NotationCli;
  let stranger: NotationCli;
  let certPath: string;
  let client: PortcullisRegistryClient;
  let work: string;
  let pipeline: ValidationPipeline;
  const img: Record<'main' | 'feature' | 'unsigned' | 'stranger' | 'copied' | 'big' | 'buildkit', string> = {
    main: '', feature: '', unsigned: '', stranger: '', copied: '', big: '', buildkit: '',
  };

  /** `oras attach` of one or more statements; returns the referrer's digest. */
  async function attach(image: string, artifactType: string, layers: readonly string[]): Promise<string> {
    const dir = mkdtempSync(join(work, 'attach-'));
    const files = layers.map((content, i) => {
      writeFileSync(join(dir, `statement-${i}.json`), content);
      return `statement-${i}.json:${IN_TOTO}`;
    });
    const { stdout } = await exec(toolPath('oras'), ['attach', '--plain-http', '--format', 'json', '--artifact-type', artifactType, image, ...files], { cwd: dir, env: { ...process.env, HOME: dir }, timeout: 30_000 });
    return (JSON.parse(stdout) as { digest: string }).digest;
  }
  const repo = () => `${registry.host}/acme/app`;
  const sign = (signer: NotationCli, digest: string) => signer.run(['sign', '--insecure-registry', `${repo()}@${digest}`]);

  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), 'portcullis-intoto-'));
    registry = await startRegistry(kind);
    cli = createNotationCli();
    await cli.run(['cert', 'generate-test', '--default', 'attester']);
    certPath = join(cli.configDir, 'localkeys', 'attester.crt');
    stranger = createNotationCli();
    await stranger.run(['cert', 'generate-test', '--default', 'stranger']);
    const digests: Record<string, string> = {};
    for (const name of Object.keys(img) as (keyof typeof img)[]) {
      const pushed = await pushImage(`${repo()}:${name}`, { content: `image ${name} on ${kind}` });
      digests[name] = pushed.digest;
      img[name] = `${repo()}@${pushed.digest}`;
      await sign(cli, pushed.digest); // the image itself is signed: the example keeps the signature rule
    }
    const main = provenance(REPOSITORY, 'refs/heads/main');
    await sign(cli, await attach(img.main, IN_TOTO, [statement(digests.main!, SLSA_V1, main)]));
    await sign(cli, await attach(img.feature, IN_TOTO, [statement(digests.feature!, SLSA_V1, provenance(REPOSITORY, 'refs/heads/feature'))]));
    await attach(img.unsigned, IN_TOTO, [statement(digests.unsigned!, SLSA_V1, main)]);
    await sign(stranger, await attach(img.stranger, IN_TOTO, [statement(digests.stranger!, SLSA_V1, main)]));
    // Attached to `copied`, signed, but about `main`: it says nothing of `copied`.
    await sign(cli, await attach(img.copied, IN_TOTO, [statement(digests.main!, SLSA_V1, main)]));
    const big = provenance(REPOSITORY, 'refs/heads/main');
    big.buildDefinition.externalParameters.padding = 'p'.repeat(200_000);
    await sign(cli, await attach(img.big, IN_TOTO, [statement(digests.big!, SLSA_V1, big)]));
    // BuildKit's layout (oci-artifact=true): one attestation manifest, a statement per layer.
    await sign(cli, await attach(img.buildkit, BUILDKIT_ATTESTATION, [statement(digests.buildkit!, SLSA_V1, main), statement(digests.buildkit!, SPDX, spdxPredicate('MIT'))]));

    const bundle = await exampleBundle('slsa-provenance', work);
    client = createRegistryClient({ insecure: [registry.host] });
    pipeline = await buildValidationPipeline(
      parseConfig({
        registries: { insecure: [registry.host] },
        policy: { bundle, data: { slsa: { builders: [BUILDER], repositories: [REPOSITORY], protected_refs: ['refs/heads/main'] } } },
        verifiers: [
          {
            name: 'release-signatures', type: 'notation', watch: false, trustStores: { ca: { test: [certPath] } },
            trustPolicy: { version: '1.0', trustPolicies: [{ name: 'all', registryScopes: ['*'], signatureVerification: { level: 'strict' }, trustStores: ['ca:test'], trustedIdentities: ['*'] }] },
          },
          { name: 'statements', type: 'intoto', predicateTypes: [SLSA_V1, SPDX], requireSignature: { verifiers: ['release-signatures'] }, statementLimits: { maxBytes: 64 * 1024 },
            sbomRules: { disallowedLicenses: ['GPL-3.0-only'] } },
        ],
      }, { baseDir: work, file: null }),
      { client, logger: silentLogger(), watchPolicy: false },
    );
  }, 300_000);

  afterAll(async () => {
    await pipeline?.close();
    await client?.close();
    await registry?.stop();
    cli?.cleanup();
    stranger?.cleanup();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  const statementResults = (results: readonly VerifierResult[]) => results.filter((r) => r.verifier === 'statements');
  const detailed = async (image: string) => {
    const [v] = await pipeline.validator.validateDetailed([image], podAdmission());
    return { verdict: v!, results: statementResults(v!.targets[0]!.input.results) };
  };

  it('allows a build of the trusted repository at main: the predicate reaches the policy, the statement signature is nested', async () => {
    const { verdict, results } = await detailed(img.main);
    expect(verdict).toMatchObject({ allowed: true, reasons: [] });
    expect(results).toHaveLength(1);
    expect(results[0]).toMatchObject({ type: 'intoto', artifactType: IN_TOTO, valid: true, nested: [expect.objectContaining({ verifier: 'release-signatures', type: 'notation', valid: true })] });
    expect(results[0]!.details.attestations).toEqual([{
      format: 'oci-artifact', layer: 0, predicateType: SLSA_V1, statementType: 'https://in-toto.io/Statement/v1',
      predicate: expect.objectContaining({ runDetails: expect.objectContaining({ builder: { id: BUILDER } }) }), signedBy: ['release-signatures'],
    }]);
  }, 60_000);

  it('denies a build at an unprotected branch, naming it (the policy decided on the signed predicate)', async () => {
    const [v] = await pipeline.validator.validate([img.feature], podAdmission());
    expect(v).toMatchObject({ allowed: false, reasons: [`SLSA provenance not trusted: built by ${BUILDER} from ${REPOSITORY} at refs/heads/feature`] });
  }, 60_000);

  it('refuses an unsigned statement with NOT_SIGNED, reading nothing of it', async () => {
    const { verdict, results } = await detailed(img.unsigned);
    expect(verdict.allowed).toBe(false);
    expect(verdict.reasons).toContain('no verified SLSA provenance attestation: attest the build (cosign attest --type slsaprovenance1)');
    expect(results[0]).toMatchObject({ valid: false, error: { code: 'NOT_SIGNED' }, nested: [] });
    expect(results[0]!.details.attestations).toBeUndefined();
  }, 60_000);

  it('refuses a statement signed by an untrusted notation key with NOT_SIGNED, naming the signature failure', async () => {
    const { verdict, results } = await detailed(img.stranger);
    expect(verdict.allowed).toBe(false);
    expect(results[0]).toMatchObject({ valid: false, error: { code: 'NOT_SIGNED' }, nested: [expect.objectContaining({ valid: false, error: expect.objectContaining({ code: 'UNTRUSTED_CHAIN' }) })] });
  }, 60_000);

  it('refuses a signed statement about another image with PAYLOAD_DIGEST_MISMATCH', async () => {
    const { verdict, results } = await detailed(img.copied);
    expect(verdict.allowed).toBe(false);
    expect(results[0]).toMatchObject({ valid: false, error: { code: 'PAYLOAD_DIGEST_MISMATCH' }, details: { attestations: [] } });
  }, 60_000);

  it('refuses a statement over statementLimits.maxBytes with STATEMENT_TOO_LARGE, naming the limit', async () => {
    const { results } = await detailed(img.big);
    expect(results[0]).toMatchObject({ valid: false, error: { code: 'STATEMENT_TOO_LARGE' } });
    expect(results[0]!.error!.message).toMatch(/65536/);
  }, 60_000);

  it('reads every statement of a BuildKit-style attestation manifest, SBOM predicates through the SBOM rules', async () => {
    const { verdict, results } = await detailed(img.buildkit);
    expect(verdict).toMatchObject({ allowed: true });
    expect(results[0]).toMatchObject({ artifactType: BUILDKIT_ATTESTATION, valid: true });
    const attestations = results[0]!.details.attestations as Array<{ layer: number; predicateType: string; sbom?: unknown }>;
    expect(attestations.map((a) => [a.layer, a.predicateType])).toEqual([[0, SLSA_V1], [1, SPDX]]);
    // The SBOM predicate went through the sbom verifier's rules (sbomRules); the provenance did not.
    expect(attestations.map((a) => a.sbom)).toEqual([undefined, { format: 'spdx', specVersion: '2.3', packageCount: 1, violationCount: 0, violations: [] }]);
  }, 60_000);
});
