/**
 * In-toto attestations made by the real cosign CLI (offline: --tlog-upload=false), pushed to
 * both real registries — olareg (OCI 1.1 referrers API) and distribution (none: tag schema) —
 * as legacy `.att` tags and as Sigstore bundle referrers, then run through the real validation
 * pipeline (registry client, Cosign verifier) and the example policies compiled to Wasm by the
 * real opa: they allow and deny on the predicate's content. A statement about another image
 * and a predicate over the size limit are refused with their codes.
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
import { exampleBundle, podAdmission, slsaProvenance, spdxPredicate, vulnerabilityScan } from '../../../helpers/attestation-fixtures.js';
import { cosignCli, type CosignCli, type CosignKeyPair } from '../../../helpers/cosign-cli.js';
import { pushImage } from '../../../helpers/push-image.js';
import { startRegistry, type RegistryKind, type RunningRegistry } from '../../../helpers/registry-server.js';
import { toolPath } from '../../../helpers/tools.js';

const exec = promisify(execFile);
const SLSA_V1 = 'https://slsa.dev/provenance/v1';
const VULN = 'https://cosign.sigstore.dev/attestation/vuln/v1';
const BUILDER = 'https://ci.example.test/builders/release@v1';
const REPOSITORY = 'https://git.example.test/acme/app';

const provenance = (repository: string, ref: string) => slsaProvenance(repository, ref, BUILDER);

describe.each<RegistryKind>(['olareg', 'distribution'])('cosign attest on %s', (kind) => {
  let registry: RunningRegistry;
  let cli: CosignCli;
  let key: CosignKeyPair;
  let client: PortcullisRegistryClient;
  let work: string;
  const img: Record<'main' | 'feature' | 'fork' | 'copied' | 'big' | 'clean' | 'critical' | 'stale' | 'sbomMit' | 'sbomGpl', string> = {
    main: '', feature: '', fork: '', copied: '', big: '', clean: '', critical: '', stale: '', sbomMit: '', sbomGpl: '',
  };
  let slsaBundle: string;
  let scanBundle: string;
  let sbomBundle: string;

  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), 'portcullis-attest-'));
    registry = await startRegistry(kind);
    cli = cosignCli();
    key = await cli.generateKeyPair('release');
    for (const name of Object.keys(img) as (keyof typeof img)[]) {
      const pushed = await pushImage(`${registry.host}/acme/app:${name}`, { content: `image ${name} on ${kind}` });
      img[name] = `${registry.host}/acme/app@${pushed.digest}`;
      await cli.sign(img[name], key);
    }
    // SLSA provenance as legacy `.att` tags (cosign v2's default format).
    await cli.attest(img.main, key, 'slsaprovenance1', provenance(REPOSITORY, 'refs/heads/main'));
    await cli.attest(img.feature, key, 'slsaprovenance1', provenance(REPOSITORY, 'refs/heads/feature'));
    await cli.attest(img.fork, key, 'slsaprovenance1', provenance('https://git.example.test/mallory/app', 'refs/heads/main'));
    // A predicate of ~200 KB, over the 64 KiB limit configured below (cosign keeps only the
    // SLSA fields, so the bulk goes where SLSA allows anything: externalParameters).
    const bigProvenance = provenance(REPOSITORY, 'refs/heads/main');
    bigProvenance.buildDefinition.externalParameters.padding = 'p'.repeat(200_000);
    await cli.attest(img.big, key, 'slsaprovenance1', bigProvenance);
    // The `.att` manifest of `main` put at `copied`'s `.att` tag: a statement about another image.
    const attTag = (image: string) => `${registry.host}/acme/app:${image.split('@')[1]!.replace(':', '-')}.att`;
    const { stdout: manifest } = await exec(toolPath('oras'), ['manifest', 'fetch', '--plain-http', attTag(img.main)], { cwd: work, env: { ...process.env, HOME: work } });
    writeFileSync(join(work, 'copied.json'), manifest);
    await exec(toolPath('oras'), ['manifest', 'push', '--plain-http', '--media-type', 'application/vnd.oci.image.manifest.v1+json', attTag(img.copied), join(work, 'copied.json')], { cwd: work, env: { ...process.env, HOME: work } });
    // Vulnerability scans as Sigstore bundle referrers (the referrers API on olareg, the tag schema on distribution).
    const day = 24 * 3600 * 1000;
    await cli.attest(img.clean, key, 'vuln', vulnerabilityScan(new Date(Date.now() - day), ['HIGH', 'LOW']), ['--new-bundle-format']);
    await cli.attest(img.critical, key, 'vuln', vulnerabilityScan(new Date(Date.now() - day), ['CRITICAL', 'LOW']), ['--new-bundle-format']);
    await cli.attest(img.stale, key, 'vuln', vulnerabilityScan(new Date(Date.now() - 10 * day), []), ['--new-bundle-format']);
    // SBOMs (SPDX 2.3) as bundle referrers.
    await cli.attest(img.sbomMit, key, 'spdxjson', spdxPredicate('MIT'), ['--new-bundle-format']);
    await cli.attest(img.sbomGpl, key, 'spdxjson', spdxPredicate('Apache-2.0 AND GPL-3.0-only'), ['--new-bundle-format']);
    slsaBundle = await exampleBundle('slsa-provenance', work);
    scanBundle = await exampleBundle('fresh-vulnerability-scan', work);
    sbomBundle = await exampleBundle('sbom-attestation-licenses', work);
    client = createRegistryClient({ insecure: [registry.host] });
  }, 240_000);

  afterAll(async () => {
    await client?.close();
    await registry?.stop();
    cli?.cleanup();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  const pipelineWith = (bundle: string, data: Record<string, unknown>, predicateTypes: string[], extra: Record<string, unknown> = {}) =>
    buildValidationPipeline(
      parseConfig(
        {
          registries: { insecure: [registry.host] },
          policy: { bundle, data },
          verifiers: [
            { name: 'signatures', type: 'cosign', key: key.publicKeyPath, tlog: { required: false } },
            { name: 'attestations', type: 'cosign', key: key.publicKeyPath, tlog: { required: false }, predicateTypes, statementLimits: { maxBytes: 64 * 1024 }, ...extra },
          ],
        },
        { baseDir: work, file: null },
      ),
      { client, logger: silentLogger(), watchPolicy: false },
    );

  const attestationResults = (results: readonly VerifierResult[]) => results.filter((r) => r.verifier === 'attestations');

  describe('SLSA provenance in .att tags, policy "built by this builder from this repository at a protected ref"', () => {
    let pipeline: ValidationPipeline;
    beforeAll(async () => {
      pipeline = await pipelineWith(slsaBundle, { slsa: { builders: [BUILDER], repositories: [REPOSITORY], protected_refs: ['refs/heads/main', 'refs/tags/v*'] } }, [SLSA_V1]);
    }, 60_000);
    afterAll(async () => { await pipeline?.close(); });

    it('allows a build of the trusted repository at main, and gives the policy the predicate', async () => {
      const [v] = await pipeline.validator.validateDetailed([img.main], podAdmission());
      expect(v).toMatchObject({ allowed: true, reasons: [] });
      const [att] = attestationResults(v!.targets[0]!.input.results);
      expect(att).toMatchObject({ valid: true, artifactType: 'application/vnd.dev.cosign.artifact.att.v1+json' });
      expect(att!.details.attestations).toEqual([
        expect.objectContaining({ format: 'legacy', predicateType: SLSA_V1, predicate: expect.objectContaining({ runDetails: expect.objectContaining({ builder: { id: BUILDER } }) }) }),
      ]);
    }, 60_000);

    it('denies a build at an unprotected branch, naming it', async () => {
      const [v] = await pipeline.validator.validate([img.feature], podAdmission());
      expect(v).toMatchObject({ allowed: false, reasons: [`SLSA provenance not trusted: built by ${BUILDER} from ${REPOSITORY} at refs/heads/feature`] });
    }, 60_000);

    it('denies a build of another repository', async () => {
      const [v] = await pipeline.validator.validate([img.fork], podAdmission());
      expect(v!.allowed).toBe(false);
      expect(v!.reasons[0]).toContain('from https://git.example.test/mallory/app');
    }, 60_000);

    it('refuses a statement about another image (PAYLOAD_DIGEST_MISMATCH): no provenance reaches the policy', async () => {
      const [v] = await pipeline.validator.validateDetailed([img.copied], podAdmission());
      expect(v!.allowed).toBe(false);
      expect(v!.reasons).toContain('no verified SLSA provenance attestation: attest the build (cosign attest --type slsaprovenance1)');
      const [att] = attestationResults(v!.targets[0]!.input.results);
      expect(att).toMatchObject({ valid: false, details: { attestations: [] } });
      expect((att!.details.signatures as Array<Record<string, unknown>>)[0]).toMatchObject({ failedCheck: 'PAYLOAD_DIGEST_MISMATCH' });
    }, 60_000);

    it('refuses a predicate over statementLimits.maxBytes with STATEMENT_TOO_LARGE', async () => {
      const [v] = await pipeline.validator.validateDetailed([img.big], podAdmission());
      expect(v!.allowed).toBe(false);
      const [att] = attestationResults(v!.targets[0]!.input.results);
      expect(att!.valid).toBe(false);
      const sig = (att!.details.signatures as Array<Record<string, unknown>>)[0];
      expect(sig).toMatchObject({ failedCheck: 'STATEMENT_TOO_LARGE' });
      expect(String(sig!.message)).toMatch(/65536/);
    }, 60_000);
  });

  describe('vulnerability scans in Sigstore bundles, policy "scan younger than 7 days with no critical finding"', () => {
    let pipeline: ValidationPipeline;
    beforeAll(async () => { pipeline = await pipelineWith(scanBundle, {}, [VULN]); }, 60_000);
    afterAll(async () => { await pipeline?.close(); });

    it('allows an image scanned yesterday with no critical finding', async () => {
      const [v] = await pipeline.validator.validateDetailed([img.clean], podAdmission());
      expect(v).toMatchObject({ allowed: true, reasons: [] });
      const valid = attestationResults(v!.targets[0]!.input.results).filter((r) => r.valid);
      expect(valid.map((r) => r.artifactType)).toEqual(['application/vnd.dev.sigstore.bundle.v0.3+json']);
      expect(valid[0]!.details.attestations).toEqual([expect.objectContaining({ format: 'bundle', predicateType: VULN })]);
    }, 60_000);

    it('denies an image whose scan lists a critical finding, naming it', async () => {
      const [v] = await pipeline.validator.validate([img.critical], podAdmission());
      expect(v!.allowed).toBe(false);
      expect(v!.reasons).toEqual([expect.stringMatching(/lists CRITICAL finding\(s\): CVE-2026-1000$/)]);
    }, 60_000);

    it('denies an image whose newest scan is 10 days old', async () => {
      const [v] = await pipeline.validator.validate([img.stale], podAdmission());
      expect(v).toMatchObject({ allowed: false, reasons: ['no vulnerability scan attestation younger than 7 days: rescan the image'] });
    }, 60_000);

    it('denies an image with provenance but no scan', async () => {
      const [v] = await pipeline.validator.validate([img.main], podAdmission());
      expect(v!.reasons).toContain('no verified vulnerability scan attestation: scan the image and attest the result (cosign attest --type vuln)');
    }, 60_000);
  });

  describe('SPDX SBOMs in Sigstore bundles, policy "an SBOM attestation with no denied licence"', () => {
    let pipeline: ValidationPipeline;
    beforeAll(async () => { pipeline = await pipelineWith(sbomBundle, { denied_licenses: ['GPL-3.0-only'] }, ['https://spdx.dev/Document']); }, 60_000);
    afterAll(async () => { await pipeline?.close(); });

    it('allows an image whose SBOM lists MIT packages only', async () => {
      const [v] = await pipeline.validator.validate([img.sbomMit], podAdmission());
      expect(v).toMatchObject({ allowed: true, reasons: [] });
    }, 60_000);

    it('denies an image whose SBOM lists a GPL-3.0-only package', async () => {
      const [v] = await pipeline.validator.validate([img.sbomGpl], podAdmission());
      expect(v).toMatchObject({ allowed: false, reasons: ['SBOM attestation (https://spdx.dev/Document) lists a package under denied licence GPL-3.0-only (Apache-2.0 AND GPL-3.0-only)'] });
    }, 60_000);

    it('denies an image without an SBOM attestation', async () => {
      const [v] = await pipeline.validator.validate([img.clean], podAdmission());
      expect(v!.reasons).toContain('no verified SBOM attestation: attest one (cosign attest --type spdxjson or cyclonedx)');
    }, 60_000);
  });

  describe('SPDX SBOMs in Sigstore bundles through the sbom verifier\'s rules (sbomRules)', () => {
    let pipeline: ValidationPipeline;
    beforeAll(async () => {
      pipeline = await pipelineWith(sbomBundle, { denied_licenses: [] }, ['https://spdx.dev/Document'], {
        sbomRules: { disallowedLicenses: ['GPL-3.0-only'], disallowedPackages: [{ name: 'libexample', version: '<0.9.0' }] },
      });
    }, 60_000);
    afterAll(async () => { await pipeline?.close(); });

    it('gives the policy the rules\' verdict beside the predicate, and allows the MIT SBOM', async () => {
      const [v] = await pipeline.validator.validateDetailed([img.sbomMit], podAdmission());
      expect(v).toMatchObject({ allowed: true, reasons: [] });
      const [att] = attestationResults(v!.targets[0]!.input.results).filter((r) => r.valid);
      expect((att!.details.attestations as Array<Record<string, unknown>>)[0]!.sbom).toEqual({ format: 'spdx', specVersion: '2.3', packageCount: 1, violationCount: 0, violations: [] });
    }, 60_000);

    it('denies the GPL SBOM with the sbom verifier\'s violation message', async () => {
      const [v] = await pipeline.validator.validate([img.sbomGpl], podAdmission());
      expect(v).toMatchObject({
        allowed: false,
        reasons: ['SBOM attestation (https://spdx.dev/Document): libexample@1.0.0 license "Apache-2.0 AND GPL-3.0-only" cannot be satisfied without a disallowed license (GPL-3.0-only)'],
      });
    }, 60_000);
  });
});
