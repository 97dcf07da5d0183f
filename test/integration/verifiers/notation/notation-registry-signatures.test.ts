/**
 * An image pushed with the real `oras` to a local registry (distribution: the referrers tag schema), signed
 * there by the real `notation` (JWS and COSE, `--insecure-registry`), its signatures discovered
 * and fetched back with `oras`, then verified by Portcullis from those bytes.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { silentLogger } from '../../../../src/observability/logger.js';
import type { Descriptor } from '../../../../src/oci/types.js';
import { createNotationVerifier } from '../../../../src/verifiers/notation/create-notation-verifier.js';
import type { ReferrerArtifact, Subject } from '../../../../src/verifiers/verifier.js';
import { createNotationCli, type NotationCli } from '../../../helpers/notation-cli.js';
import { startRegistry, type RunningRegistry } from '../../../helpers/registry-server.js';
import { toolPath } from '../../../helpers/tools.js';

const exec = promisify(execFile);
const orasText = async (args: string[]): Promise<string> =>
  (await exec(toolPath('oras'), args, { timeout: 60_000, maxBuffer: 8 * 1024 * 1024 })).stdout;
const orasBytes = async (args: string[]): Promise<Buffer> =>
  (await exec(toolPath('oras'), args, { timeout: 60_000, maxBuffer: 8 * 1024 * 1024, encoding: 'buffer' })).stdout;

let registry: RunningRegistry;
let cli: NotationCli;
let work: string;
let subject: Subject;

/** Fetches a referrer's manifest and layers back from the registry, checking digests. */
async function fetchReferrer(repo: string, d: Descriptor): Promise<ReferrerArtifact> {
  const manifest = await orasBytes(['manifest', 'fetch', '--plain-http', `${repo}@${d.digest}`]);
  expect(`sha256:${createHash('sha256').update(manifest).digest('hex')}`).toBe(d.digest);
  const doc = JSON.parse(manifest.toString('utf8')) as { layers: Descriptor[]; artifactType?: string; annotations?: Record<string, string> };
  const blobs = [];
  for (const l of doc.layers) {
    const bytes = await orasBytes(['blob', 'fetch', '--plain-http', `${repo}@${l.digest}`, '--output', '-']);
    expect(`sha256:${createHash('sha256').update(bytes).digest('hex')}`).toBe(l.digest);
    blobs.push({ descriptor: l, bytes });
  }
  const descriptor = { ...d, artifactType: doc.artifactType ?? d.artifactType, annotations: doc.annotations ?? {} };
  return { descriptor, manifest: { descriptor, bytes: manifest }, blobs };
}

beforeAll(async () => {
  registry = await startRegistry('distribution');
  cli = createNotationCli();
  work = mkdtempSync(join(tmpdir(), 'notation-registry-'));
  await cli.run(['cert', 'generate-test', '--default', 'release']);
  writeFileSync(join(work, 'app.txt'), 'hello from portcullis');
  const repo = `${registry.host}/team/app`;
  await exec(toolPath('oras'), ['push', '--plain-http', `${repo}:v1`, 'app.txt:text/plain'], { cwd: work, timeout: 60_000 });
  const manifest = await orasBytes(['manifest', 'fetch', '--plain-http', `${repo}:v1`]);
  const digest = `sha256:${createHash('sha256').update(manifest).digest('hex')}`;
  subject = {
    reference: `${repo}:v1@${digest}`, registry: registry.host, repository: 'team/app', tag: 'v1', digest,
    mediaType: 'application/vnd.oci.image.manifest.v1+json', size: manifest.length,
  };
  await cli.run(['sign', '--insecure-registry', '--signature-format', 'jws', `${repo}@${digest}`]);
  await cli.run(['sign', '--insecure-registry', '--signature-format', 'cose', `${repo}@${digest}`]);
}, 180_000);

afterAll(async () => {
  cli?.cleanup();
  await registry?.stop();
  if (work) rmSync(work, { recursive: true, force: true });
});

describe('notation signatures in a local registry', () => {
  it('discovers a JWS and a COSE signature and verifies both', async () => {
    const repo = `${registry.host}/team/app`;
    const found = JSON.parse(await orasText(['discover', '--plain-http', '--format', 'json', '--artifact-type', 'application/vnd.cncf.notary.signature', `${repo}@${subject.digest}`])) as { referrers?: Descriptor[]; manifests?: Descriptor[] };
    const referrers = found.referrers ?? found.manifests ?? [];
    expect(referrers).toHaveLength(2);
    const verifier = await createNotationVerifier({
      name: 'release-signatures',
      type: 'notation',
      trustStores: { ca: { release: [join(cli.configDir, 'localkeys', 'release.crt')] } },
      trustPolicy: {
        version: '1.0',
        trustPolicies: [{ name: 'team', registryScopes: [`${registry.host}/team/app`], signatureVerification: { level: 'strict' }, trustStores: ['ca:release'], trustedIdentities: ['*'] }],
      },
      watch: false,
    }, 'verifiers[0]', { baseDir: work, logger: silentLogger() });
    const results = [];
    for (const d of referrers) results.push(await verifier.verify(subject, await fetchReferrer(repo, d), { signal: AbortSignal.timeout(5000), now: new Date(), nested: [] }));
    expect(results.map((r) => [r.valid, r.details.envelopeType]).sort()).toEqual([[true, 'cose'], [true, 'jws']]);
    expect(results[0]!.message).toMatch(/^signature by "CN=release.*" is trusted by policy "team" \(strict\)$/);
  }, 60_000);
});
