/**
 * SBOMs made by the real Syft on a directory this test creates (an npm project with installed
 * packages), in SPDX JSON and CycloneDX JSON, attached to images in a real registry (olareg, OCI
 * 1.1 referrers API) with `oras attach`, and signed with the real `notation` (a
 * `notation cert generate-test` key). Checked two ways:
 *  - the `sbom` verifier on the bytes fetched by Portcullis' registry client, with nested
 *    results from the notation verifier on the SBOM's own signatures;
 *  - end to end through the validation pipeline (createImageValidator, default Rego policy),
 *    signed and unsigned.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AdmissionContext } from '../../../../src/admission/ports.js';
import { silentLogger } from '../../../../src/observability/logger.js';
import { createRegistryClient, parseReference } from '../../../../src/oci/index.js';
import { CYCLONEDX_JSON, NOTATION_SIGNATURE, SPDX_JSON } from '../../../../src/oci/media-types.js';
import type { Descriptor, ImageRef } from '../../../../src/oci/types.js';
import { startPolicyEngine, type RunningPolicyEngine } from '../../../../src/policy/start-policy-engine.js';
import { createImageValidator } from '../../../../src/validation/create-image-validator.js';
import { createNotationVerifier } from '../../../../src/verifiers/notation/create-notation-verifier.js';
import { createSbomVerifier } from '../../../../src/verifiers/sbom/create-sbom-verifier.js';
import type { ReferrerArtifact, Subject, Verifier, VerifierConfigEntry, VerifierResult } from '../../../../src/verifiers/verifier.js';
import { createNotationCli, type NotationCli } from '../../../helpers/notation-cli.js';
import { attachArtifact, pushImage, type PushedDescriptor } from '../../../helpers/push-image.js';
import { startRegistry, type RunningRegistry } from '../../../helpers/registry-server.js';
import { referrerArtifact } from '../../../helpers/referrer-artifact.js';
import { runSyft } from '../../../helpers/syft-cli.js';

const logger = silentLogger();
let work: string;
let registry: RunningRegistry;
let cli: NotationCli;
let certPath: string;
let policy: RunningPolicyEngine;
const FORMATS = ['spdx-json', 'cyclonedx-json', 'spdx-json@2.2', 'cyclonedx-json@1.6', 'cyclonedx-json@1.5', 'cyclonedx-json@1.4'] as const;
let sboms: Record<(typeof FORMATS)[number], Buffer>;
const client = (host: string) => createRegistryClient({ insecure: [host], logger });

interface PushedImage { readonly image: PushedDescriptor; readonly spdx: PushedDescriptor; readonly cyclonedx: PushedDescriptor }
const images = new Map<'signed' | 'unsigned', PushedImage>();

/** An npm project as installed: a root package.json and node_modules/<name>/package.json. */
function createProject(dir: string): void {
  const deps: Array<[string, string, string]> = [
    ['left-pad', '1.3.0', 'WTFPL'],
    ['copyleft-lib', '2.1.0', 'GPL-3.0-only'],
    ['dual-licensed', '0.4.2', '(MIT OR GPL-3.0-only)'],
    ['tiny-util', '5.0.1', 'MIT'],
  ];
  writeFileSync(join(dir, 'package.json'), JSON.stringify({
    name: 'demo-app', version: '1.0.0', license: 'Apache-2.0', dependencies: Object.fromEntries(deps.map(([n, v]) => [n, v])),
  }, null, 2));
  const lock = { name: 'demo-app', version: '1.0.0', lockfileVersion: 3, requires: true, packages: {
    '': { name: 'demo-app', version: '1.0.0', license: 'Apache-2.0', dependencies: Object.fromEntries(deps.map(([n, v]) => [n, v])) },
    ...Object.fromEntries(deps.map(([n, v, l]) => [`node_modules/${n}`, { version: v, resolved: `https://registry.npmjs.org/${n}/-/${n}-${v}.tgz`, integrity: 'sha512-' + Buffer.alloc(64, n.length).toString('base64'), license: l }])),
  } };
  writeFileSync(join(dir, 'package-lock.json'), JSON.stringify(lock, null, 2));
  for (const [name, version, license] of deps) {
    mkdirSync(join(dir, 'node_modules', name), { recursive: true });
    writeFileSync(join(dir, 'node_modules', name, 'package.json'), JSON.stringify({ name, version, license, main: 'index.js' }, null, 2));
    writeFileSync(join(dir, 'node_modules', name, 'index.js'), 'module.exports = 1;\n');
  }
}

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'syft-sbom-'));
  const project = join(work, 'project');
  mkdirSync(project);
  createProject(project);
  sboms = await runSyft(project, FORMATS, ['--select-catalogers', '+javascript-package-cataloger']);

  registry = await startRegistry('olareg');
  cli = createNotationCli();
  await cli.run(['cert', 'generate-test', '--default', 'sbom-signer']);
  certPath = join(cli.configDir, 'localkeys', 'sbom-signer.crt');
  const sign = (digest: string) => cli.run(['sign', '--insecure-registry', `${registry.host}/app@${digest}`]);
  for (const tag of ['signed', 'unsigned'] as const) {
    const image = await pushImage(`${registry.host}/app:${tag}`, { content: `image ${tag}` });
    await sign(image.digest); // the default policy wants the image itself signed
    const subject = `${registry.host}/app@${image.digest}`;
    const spdx = await attachArtifact(subject, SPDX_JSON, { content: sboms['spdx-json'].toString('utf8'), mediaType: SPDX_JSON });
    const cyclonedx = await attachArtifact(subject, CYCLONEDX_JSON, { content: sboms['cyclonedx-json'].toString('utf8'), mediaType: CYCLONEDX_JSON });
    if (tag === 'signed') {
      await sign(spdx.digest);
      await sign(cyclonedx.digest);
    }
    images.set(tag, { image, spdx, cyclonedx });
  }
  policy = await startPolicyEngine({ bundle: null }, { baseDir: work, logger, watch: false });
}, 300_000);

afterAll(async () => {
  await policy?.close();
  await registry?.stop();
  cli?.cleanup();
  rmSync(work, { recursive: true, force: true });
});

const notationEntry = (): VerifierConfigEntry => ({
  name: 'release-signatures', type: 'notation', trustStores: { ca: { test: [certPath] } }, watch: false,
  trustPolicy: { version: '1.0', trustPolicies: [{ name: 'all', registryScopes: ['*'], signatureVerification: { level: 'strict' }, trustStores: ['ca:test'], trustedIdentities: ['*'] }] },
});
const notationVerifier = (): Promise<Verifier> => createNotationVerifier(notationEntry(), 'verifiers[0]', { baseDir: work, logger });
const sbomVerifier = (options: Partial<VerifierConfigEntry> = {}): Promise<Verifier> =>
  createSbomVerifier({ name: 'sbom', type: 'sbom', ...options }, 'verifiers[1]', { baseDir: work, logger });

describe('Syft SBOMs signed with notation', () => {
  describe('as Syft wrote them, in every version it writes', () => {
    it.each([
      ['spdx-json', 'spdx', '2.3'], ['spdx-json@2.2', 'spdx', '2.2'], ['cyclonedx-json', 'cyclonedx', '1.7'],
      ['cyclonedx-json@1.6', 'cyclonedx', '1.6'], ['cyclonedx-json@1.5', 'cyclonedx', '1.5'], ['cyclonedx-json@1.4', 'cyclonedx', '1.4'],
    ] as const)('reads %s and finds the same violations', async (output, format, specVersion) => {
      const v = await sbomVerifier({ disallowedLicenses: ['GPL-3.0-only', 'WTFPL'], disallowedPackages: [{ name: 'pkg:npm/tiny-util', version: '>=5.0.0 <5.1.0' }] });
      const mediaType = format === 'spdx' ? SPDX_JSON : CYCLONEDX_JSON;
      const artifact = referrerArtifact({ artifactType: mediaType, layers: [{ mediaType, bytes: sboms[output] }] });
      const r = await v.verify(imageSubject('signed'), artifact, ctx());
      expect(r.details).toMatchObject({ format, specVersion });
      expect(violationsOf(r)).toEqual(['license:copyleft-lib@2.1.0', 'license:left-pad@1.3.0', 'package:tiny-util@5.0.1']);
    });
  });

  describe('attached with oras and fetched back', () => {
    it('reads the SPDX document: format, creators, and the installed npm packages', async () => {
      const r = await (await sbomVerifier()).verify(imageSubject('signed'), await fetchArtifact('signed', 'spdx'), ctx());
      expect(r.valid).toBe(true);
      expect(r.details).toMatchObject({ format: 'spdx', specVersion: '2.3', creators: expect.arrayContaining([expect.stringMatching(/^Tool: syft-/)]) });
      expect(Date.now() - Date.parse(r.details.creationTime as string)).toBeLessThan(3_600_000);
    });

    it.each(['spdx', 'cyclonedx'] as const)('finds the disallowed licenses and packages in the %s document', async (format) => {
      const v = await sbomVerifier({ disallowedLicenses: ['GPL-3.0-only', 'WTFPL'], disallowedPackages: [{ name: 'pkg:npm/tiny-util', version: '>=5.0.0 <5.1.0' }] });
      const r = await v.verify(imageSubject('signed'), await fetchArtifact('signed', format), ctx());
      expect(r.valid).toBe(false);
      expect(r.details.format).toBe(format);
      // dual-licensed is (MIT OR GPL-3.0-only): MIT is a clean choice, so it is allowed.
      expect(violationsOf(r)).toEqual(['license:copyleft-lib@2.1.0', 'license:left-pad@1.3.0', 'package:tiny-util@5.0.1']);
    });
  });

  describe('with the sbom verifier on fetched bytes and nested notation results', () => {
    it('passes the signed SPDX SBOM, reporting the valid notation signature as nested', async () => {
      const nested = await nestedSignatureResults('signed', 'spdx');
      expect(nested).toEqual([expect.objectContaining({ verifier: 'release-signatures', type: 'notation', valid: true })]);
      const r = await (await sbomVerifier({ requireSignature: { verifiers: ['release-signatures'] } })).verify(imageSubject('signed'), await fetchArtifact('signed', 'spdx'), ctx(nested));
      expect(r).toMatchObject({ valid: true, nested, details: { signature: { required: true, satisfied: true, trustedBy: ['release-signatures'] } } });
    });

    it('fails the unsigned SPDX SBOM', async () => {
      const nested = await nestedSignatureResults('unsigned', 'spdx');
      expect(nested).toEqual([]);
      const r = await (await sbomVerifier({ requireSignature: true })).verify(imageSubject('unsigned'), await fetchArtifact('unsigned', 'spdx'), ctx(nested));
      expect(r.valid).toBe(false);
      expect(r.message).toBe('SBOM is not signed by a trusted signer: no signature was found');
    });

    it('fails a signed SBOM whose signer is not trusted', async () => {
      const other = createNotationCli();
      try {
        await other.run(['cert', 'generate-test', 'someone-else']);
        const untrusted = await createNotationVerifier({ ...notationEntry(), trustStores: { ca: { test: [join(other.configDir, 'localkeys', 'someone-else.crt')] } } }, 'verifiers[0]', { baseDir: work, logger });
        const nested = await nestedSignatureResults('signed', 'cyclonedx', untrusted);
        expect(nested).toEqual([expect.objectContaining({ valid: false })]);
        const r = await (await sbomVerifier({ requireSignature: true })).verify(imageSubject('signed'), await fetchArtifact('signed', 'cyclonedx'), ctx(nested));
        expect(r.valid).toBe(false);
        expect(r.message).toMatch(/^SBOM is not signed by a trusted signer: release-signatures: /);
      } finally {
        other.cleanup();
      }
    });
  });

  describe('through the validation pipeline and the default policy', () => {
    async function validate(tag: 'signed' | 'unsigned', sbomOptions: Partial<VerifierConfigEntry>) {
      const validator = createImageValidator({
        client: client(registry.host),
        verifiers: [await notationVerifier(), await sbomVerifier({ requireSignature: { verifiers: ['release-signatures'] }, ...sbomOptions })],
        policy: policy.engine,
        logger,
        config: { platforms: 'index', excludeImages: [], requireDigest: false }, // named by tag: about verification, not pinning
      });
      const [verdict] = await validator.validateDetailed([`${registry.host}/app:${tag}`], admission());
      return verdict!;
    }

    it('allows the image whose SBOMs are signed and clean', async () => {
      const verdict = await validate('signed', { disallowedLicenses: ['AGPL-3.0-only'] });
      expect(verdict.reasons).toEqual([]);
      expect(verdict.allowed).toBe(true);
      const results = verdict.targets[0]!.input.results;
      const sbomResults = results.filter((r) => r.type === 'sbom');
      expect(sbomResults.map((r) => r.artifactType).sort()).toEqual([SPDX_JSON, CYCLONEDX_JSON].sort());
      for (const r of sbomResults) {
        expect(r).toMatchObject({ valid: true, nested: [expect.objectContaining({ verifier: 'release-signatures', valid: true })] });
      }
    }, 60_000);

    it('denies the image whose SBOMs are unsigned, saying so', async () => {
      const verdict = await validate('unsigned', {});
      expect(verdict.allowed).toBe(false);
      expect(verdict.reasons).toEqual([
        `sbom "sbom": SBOM is not signed by a trusted signer: no signature was found (checked by release-signatures)`,
      ]);
    }, 60_000);

    it('denies the image whose signed SBOMs break the license policy', async () => {
      const verdict = await validate('signed', { disallowedLicenses: ['GPL-3.0-only'] });
      expect(verdict.allowed).toBe(false);
      expect(verdict.reasons).toEqual([
        'sbom "sbom": SBOM has 1 violation: copyleft-lib@2.1.0 license "GPL-3.0-only" cannot be satisfied without a disallowed license (GPL-3.0-only)',
      ]);
    }, 60_000);
  });
});

// --- fetching through Portcullis' own registry client -------------------------------------------

function violationsOf(r: VerifierResult): string[] {
  return (r.details.violations as Array<{ kind: string; package: string; version: string }>).map((x) => `${x.kind}:${x.package}@${x.version}`).sort();
}

function ctx(nested: VerifierResult[] = []) {
  return { signal: AbortSignal.timeout(10_000), now: new Date(), nested };
}

function admission(): AdmissionContext {
  return {
    signal: AbortSignal.timeout(30_000), deadline: Date.now() + 30_000,
    request: { uid: 'u', operation: 'CREATE', namespace: 'default', kind: { group: '', version: 'v1', kind: 'Pod' }, name: 'p', userInfo: { username: 'dev', groups: [] }, dryRun: false },
    pod: { imagePullSecrets: [] },
  };
}

function refOf(): ImageRef {
  return parseReference(`${registry.host}/app`);
}

function imageSubject(tag: 'signed' | 'unsigned'): Subject {
  const d = images.get(tag)!.image;
  return { reference: `${registry.host}/app:${tag}@${d.digest}`, registry: registry.host, repository: 'app', tag, digest: d.digest, mediaType: d.mediaType, size: d.size };
}

async function artifactOf(descriptor: Descriptor): Promise<ReferrerArtifact> {
  const c = client(registry.host);
  const signal = AbortSignal.timeout(10_000);
  const manifest = await c.fetchManifest(refOf(), descriptor, signal);
  const layers = (JSON.parse(Buffer.from(manifest.bytes).toString('utf8')) as { layers: Descriptor[] }).layers;
  const blobs = await Promise.all(layers.map((l) => c.fetchBlob(refOf(), l, signal)));
  return { descriptor, manifest, blobs };
}

/** The SBOM referrer of the image, as the referrers API lists it, with its fetched bytes. */
async function fetchArtifact(tag: 'signed' | 'unsigned', format: 'spdx' | 'cyclonedx'): Promise<ReferrerArtifact> {
  const pushed = images.get(tag)!;
  const artifactType = format === 'spdx' ? SPDX_JSON : CYCLONEDX_JSON;
  const listed = await client(registry.host).listReferrers(refOf(), pushed.image, AbortSignal.timeout(10_000));
  const descriptor = listed.find((r) => r.descriptor.artifactType === artifactType)?.descriptor;
  expect(descriptor?.digest).toBe(pushed[format].digest);
  return artifactOf(descriptor!);
}

/** What the pipeline does for `nestedRequirement`: verify the SBOM's own signature referrers. */
async function nestedSignatureResults(tag: 'signed' | 'unsigned', format: 'spdx' | 'cyclonedx', verifier?: Verifier): Promise<VerifierResult[]> {
  const sbom = images.get(tag)![format];
  const v = verifier ?? await notationVerifier();
  const listed = await client(registry.host).listReferrers(refOf(), sbom, AbortSignal.timeout(10_000));
  const sbomSubject: Subject = { reference: `${registry.host}/app@${sbom.digest}`, registry: registry.host, repository: 'app', digest: sbom.digest, mediaType: sbom.mediaType, size: sbom.size };
  const out: VerifierResult[] = [];
  for (const { descriptor: d } of listed.filter((x) => x.descriptor.artifactType === NOTATION_SIGNATURE)) out.push(await v.verify(sbomSubject, await artifactOf(d), ctx()));
  return out;
}
