/**
 * Hostile SBOMs and reports attached to images in a real registry (olareg) with the real `oras
 * attach`, judged through the validation pipeline and the default policy: each is denied with a
 * clear reason naming what is wrong, and the same validator goes on judging a good image.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { AdmissionContext } from '../../../../src/admission/ports.js';
import { silentLogger } from '../../../../src/observability/logger.js';
import { createRegistryClient } from '../../../../src/oci/index.js';
import { SARIF_JSON, SPDX_JSON } from '../../../../src/oci/media-types.js';
import { startPolicyEngine, type RunningPolicyEngine } from '../../../../src/policy/start-policy-engine.js';
import { createImageValidator, type DetailedImageValidator } from '../../../../src/validation/create-image-validator.js';
import { createNotationVerifier } from '../../../../src/verifiers/notation/create-notation-verifier.js';
import { createSbomVerifier } from '../../../../src/verifiers/sbom/create-sbom-verifier.js';
import { createVulnerabilityReportVerifier } from '../../../../src/verifiers/vulnerability/create-vulnerability-report-verifier.js';
import { createNotationCli, type NotationCli } from '../../../helpers/notation-cli.js';
import { pushImage } from '../../../helpers/push-image.js';
import { startRegistry, type RunningRegistry } from '../../../helpers/registry-server.js';
import { toolPath, VECTORS } from '../../../helpers/tools.js';

const exec = promisify(execFile);
const logger = silentLogger();
const SYFT_SPDX = readFileSync(join(VECTORS, 'sbom/syft.spdx.json'));
let work: string;
let registry: RunningRegistry;
let cli: NotationCli;
let policy: RunningPolicyEngine;
let validator: DetailedImageValidator;
const referrerDigests = new Map<string, string>();

/** `oras attach` of `bytes` as the one layer of a referrer of `artifactType`. */
async function attach(subject: string, artifactType: string, bytes: Uint8Array): Promise<string> {
  const dir = mkdtempSync(join(work, 'attach-'));
  writeFileSync(join(dir, 'doc.json'), bytes);
  const { stdout } = await exec(toolPath('oras'), ['attach', '--plain-http', '--format', 'json', '--artifact-type', artifactType, subject, `doc.json:${artifactType}`], {
    cwd: dir, timeout: 60_000, env: { ...process.env, HOME: dir, DOCKER_CONFIG: dir },
  });
  rmSync(dir, { recursive: true, force: true });
  return (JSON.parse(stdout) as { digest: string }).digest;
}

const hostile: Array<[tag: string, artifactType: string, bytes: () => Uint8Array]> = [
  ['nested', SPDX_JSON, () => Buffer.from(`${'['.repeat(100_000)}${']'.repeat(100_000)}`)],
  ['truncated', SPDX_JSON, () => SYFT_SPDX.subarray(0, 20_000)],
  ['wrong-types', SPDX_JSON, () => Buffer.from(JSON.stringify({ spdxVersion: 'SPDX-2.3', creationInfo: { created: 1, creators: 'me' }, packages: {} }))],
  ['oversized', SPDX_JSON, () => Buffer.concat([Buffer.from('{"spdxVersion":"SPDX-2.3","pad":"'), Buffer.alloc(3 * 1024 * 1024, 0x61), Buffer.from('"}')])],
  ['huge', SPDX_JSON, () => Buffer.alloc(17 * 1024 * 1024, 0x20)],
  ['codeql', SARIF_JSON, () => Buffer.from(JSON.stringify({ version: '2.1.0', runs: [{ tool: { driver: { name: 'CodeQL' } }, results: [] }] }))],
  ['clean', SPDX_JSON, () => SYFT_SPDX],
];

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'hostile-sbom-'));
  registry = await startRegistry('olareg');
  cli = createNotationCli();
  await cli.run(['cert', 'generate-test', '--default', 'signer']);
  for (const [tag, artifactType, bytes] of hostile) {
    const image = await pushImage(`${registry.host}/app:${tag}`, { content: `image ${tag}` });
    await cli.run(['sign', '--insecure-registry', `${registry.host}/app@${image.digest}`]);
    referrerDigests.set(tag, await attach(`${registry.host}/app@${image.digest}`, artifactType, bytes()));
  }
  policy = await startPolicyEngine({ bundle: null }, { baseDir: work, logger, watch: false });
  const deps = { baseDir: work, logger };
  validator = createImageValidator({
    client: createRegistryClient({ insecure: [registry.host], logger }),
    verifiers: [
      await createNotationVerifier({
        name: 'signatures', type: 'notation', trustStores: { ca: { test: [join(cli.configDir, 'localkeys', 'signer.crt')] } }, watch: false,
        trustPolicy: { version: '1.0', trustPolicies: [{ name: 'all', registryScopes: ['*'], signatureVerification: { level: 'strict' }, trustStores: ['ca:test'], trustedIdentities: ['*'] }] },
      }, 'verifiers[0]', deps),
      await createSbomVerifier({ name: 'sbom', type: 'sbom', disallowedLicenses: ['AGPL-3.0-only'], maxDocumentBytes: 2 * 1024 * 1024 }, 'verifiers[1]', deps),
      await createVulnerabilityReportVerifier({ name: 'vulns', type: 'vulnerabilityreport', disallowedSeverities: ['critical'] }, 'verifiers[2]', deps),
    ],
    policy: policy.engine,
    logger,
    config: { platforms: 'index', excludeImages: [], requireDigest: false }, // named by tag: about verification, not pinning
  });
}, 300_000);

afterAll(async () => {
  await policy?.close();
  await registry?.stop();
  cli?.cleanup();
  rmSync(work, { recursive: true, force: true });
});

async function reasonsFor(tag: string): Promise<{ allowed: boolean; reasons: string[] }> {
  const ctx: AdmissionContext = {
    signal: AbortSignal.timeout(30_000), deadline: Date.now() + 30_000,
    request: { uid: 'u', operation: 'CREATE', namespace: 'default', kind: { group: '', version: 'v1', kind: 'Pod' }, name: 'p', userInfo: { username: 'dev', groups: [] }, dryRun: false },
    pod: { imagePullSecrets: [] },
  };
  const [verdict] = await validator.validate([`${registry.host}/app:${tag}`], ctx);
  return { allowed: verdict!.allowed, reasons: [...verdict!.reasons] };
}

describe('hostile SBOMs and reports through the validation pipeline', () => {
  it.each([
    ['nested', 'JSON nests deeper than 64 levels (at byte 64)'],
    ['truncated', expect.stringMatching(/^document is not valid JSON: /)],
    ['wrong-types', 'invalid SPDX document: creationInfo.created: Invalid input: expected string, received number'],
    ['oversized', 'document is 3145763 bytes, over the limit of 2097152'],
  ])('denies the image whose SBOM is %s, saying why', async (tag, why) => {
    const verdict = await reasonsFor(tag);
    expect(verdict.allowed).toBe(false);
    expect(verdict.reasons).toHaveLength(1);
    const prefix = `sbom "sbom" could not verify ${referrerDigests.get(tag)}: `;
    expect(verdict.reasons[0]!.startsWith(prefix)).toBe(true);
    expect(verdict.reasons[0]!.slice(prefix.length)).toEqual(why);
  }, 60_000);

  it('denies the image whose SBOM is over the pipeline artifact limit before fetching it', async () => {
    const verdict = await reasonsFor('huge');
    expect(verdict.allowed).toBe(false);
    expect(verdict.reasons).toEqual([expect.stringMatching(/^fetch failed: .*artifact is 17825792 bytes, over the 16777216-byte limit$/)]);
  }, 60_000);

  it('denies the image whose report was written by another scanner', async () => {
    expect(await reasonsFor('codeql')).toEqual({
      allowed: false,
      reasons: [`vulnerabilityreport "vulns" could not verify ${referrerDigests.get('codeql')}: run 0 was written by "CodeQL"; only Trivy and Grype reports are supported`],
    });
  }, 60_000);

  it('goes on allowing a good image after all of them', async () => {
    expect(await reasonsFor('clean')).toEqual({ allowed: true, reasons: [] });
  }, 60_000);
});
