/**
 * Every OCI layout of notation's e2e suite (../shared/vectors/notation-e2e/layouts, read in
 * place) copied with the real `oras` into a real registry, then decided as its name says by the
 * real validation pipeline: registry client and cache (createRegistryAccess), the notation
 * verifier with the trust stores and trust policies of ../shared/vectors/notation-e2e-config,
 * and the bundled default policy (policy.bundle null, Rego compiled to Wasm by `opa`).
 * Both kinds of registry: olareg (OCI 1.1 referrers API) and distribution (tag schema, where
 * `oras` writes the `sha256-<digest>` referrers index itself).
 * The expectations mirror test/unit/verifiers/notation/e2e-layouts.test.ts, which decides the
 * same signatures straight from the layouts; here they travel through a registry first.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { execFile } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { AdmissionContext } from '../../../src/admission/ports.js';
import { createRegistryAccess, type RegistryAccess } from '../../../src/cache/create-registry-access.js';
import { parseConfig, type ConfigInput } from '../../../src/config/index.js';
import { silentLogger } from '../../../src/observability/logger.js';
import { buildValidationPipeline, type ValidationPipeline } from '../../../src/validation/build-validation-pipeline.js';
import type { DetailedVerdict } from '../../../src/validation/create-image-validator.js';
import { startRegistry, type RegistryKind, type RunningRegistry } from '../../helpers/registry-server.js';
import { toolPath, VECTORS } from '../../helpers/tools.js';

const exec = promisify(execFile);
const LAYOUTS = join(VECTORS, 'notation-e2e/layouts');
const CONFIG = join(VECTORS, 'notation-e2e-config');
const NOTARY = 'application/vnd.cncf.notary.signature';
/** The clock of the unit test this mirrors: after every short-lived certificate of the vectors expired. */
const NOW = new Date('2026-01-01T00:00:00Z');
const TSA_ROOTS = ['timestamp/DigiCertTSARootSHA384.cer', 'timestamp/globalsignTSARoot.cer'];

const work = mkdtempSync(join(tmpdir(), 'portcullis-notation-e2e-layouts-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

interface LayoutIndex { manifests: Array<{ digest: string; annotations?: Record<string, string> }> }

function readIndex(layout: string): LayoutIndex {
  return JSON.parse(readFileSync(join(LAYOUTS, layout, 'index.json'), 'utf8')) as LayoutIndex;
}

/**
 * The image tags of a layout. Names `sha256-<hex>` are the tag-schema referrers indexes notation
 * wrote into the layout; `oras cp -r` carries the referrers with the image and writes that index
 * itself where the registry has no referrers API, so they are not copied on their own.
 */
function imageTags(layout: string): string[] {
  return readIndex(layout).manifests
    .map((m) => m.annotations?.['org.opencontainers.image.ref.name'])
    .filter((t): t is string => t !== undefined && !/^sha256-[0-9a-f]{64}$/.test(t));
}

/** The signer certificate of a layout's signature (its envelope's x5c[0]), as a PEM file a `ca` store can hold. */
function signerCertFile(layout: string): string {
  const blobs = join(LAYOUTS, layout, 'blobs/sha256');
  for (const m of readIndex(layout).manifests) {
    const manifest = JSON.parse(readFileSync(join(blobs, m.digest.slice('sha256:'.length)), 'utf8')) as { artifactType?: string; config?: { mediaType?: string }; layers?: Array<{ digest: string }> };
    // These signatures name their type in config.mediaType (the image-spec 1.0 way), not artifactType.
    if ((manifest.artifactType ?? manifest.config?.mediaType) !== NOTARY) continue;
    const envelope = JSON.parse(readFileSync(join(blobs, manifest.layers![0]!.digest.slice('sha256:'.length)), 'utf8')) as { header: { x5c: string[] } };
    const file = join(work, `${layout}.pem`);
    writeFileSync(file, new X509Certificate(Buffer.from(envelope.header.x5c[0]!, 'base64')).toString());
    return file;
  }
  throw new Error(`${layout} holds no notation signature`);
}

/** The image behind tag v1 and the digests of the manifests in the layout whose subject it is (its signatures). */
function layoutReferrers(layout: string): { image: string; referrers: string[] } {
  const index = readIndex(layout);
  const image = index.manifests.find((m) => m.annotations?.['org.opencontainers.image.ref.name'] === 'v1')!.digest;
  const referrers = index.manifests.filter((m) => {
    const body = JSON.parse(readFileSync(join(LAYOUTS, layout, 'blobs/sha256', m.digest.slice('sha256:'.length)), 'utf8')) as { subject?: { digest?: string } };
    return body.subject?.digest === image;
  }).map((m) => m.digest);
  return { image, referrers: referrers.sort() };
}

interface TrustSetup { stores: Record<string, Record<string, string[]>>; policy: string; now?: Date }

const e2eCa: TrustSetup = { stores: { ca: { e2e: ['localkeys/e2e.crt'] } }, policy: 'trustpolicy.json' };
const expiredCa: TrustSetup = { stores: { ca: { e2e: ['localkeys/expired_e2e.crt'] } }, policy: 'trustpolicy.json' };
const timestamped = (): TrustSetup => ({
  stores: { ca: { e2e: [signerCertFile('e2e-with-timestamped-signature')] }, tsa: { e2e: TSA_ROOTS } },
  policy: 'timestamp_trustpolicy.json',
});

function ctx(): AdmissionContext {
  return {
    signal: AbortSignal.timeout(20_000), deadline: Date.now() + 20_000,
    request: { uid: 'notation-e2e', operation: 'CREATE', namespace: 'default', kind: { group: '', version: 'v1', kind: 'Pod' }, name: 'e2e', userInfo: { username: 'dev', groups: [] }, dryRun: false },
    pod: { imagePullSecrets: [] },
  };
}

const KINDS: RegistryKind[] = ['olareg', 'distribution'];

describe.each(KINDS)('notation e2e layouts through a real %s registry', (kind) => {
  let registry: RunningRegistry;
  let access: RegistryAccess;
  const pipelines: ValidationPipeline[] = [];

  /** A pipeline with one notation verifier named `e2e`, the given trust material and the default policy. */
  async function pipeline(trust: TrustSetup): Promise<ValidationPipeline> {
    const input: ConfigInput = {
      registries: { insecure: [registry.host] },
      admission: { failurePolicy: 'deny' },
      validation: { requireDigest: false }, // named by tag: about verification, not pinning
      policy: { bundle: null },
      verifiers: [{ name: 'e2e', type: 'notation', artifactTypes: [NOTARY], watch: false, trustStores: trust.stores, trustPolicyFile: join('trustpolicies', trust.policy) }],
    };
    // Results are cached by subject, referrer and verifier config, not by the clock: a pipeline
    // set to another day must not read the verdicts of NOW, so it runs without the results cache.
    const p = await buildValidationPipeline(parseConfig(input, { baseDir: CONFIG, file: null }), {
      client: access.client, cache: trust.now ? undefined : access.cache, logger: silentLogger(), watchPolicy: false, now: () => trust.now ?? NOW,
    });
    pipelines.push(p);
    return p;
  }

  async function decide(layout: string, trust: TrustSetup): Promise<DetailedVerdict> {
    const p = await pipeline(trust);
    const [verdict] = await p.validator.validateDetailed([`${registry.host}/notation-e2e/${layout}:v1`], ctx());
    return verdict!;
  }

  /** The notation results as their error code, or 'valid', sorted. */
  function outcomes(v: DetailedVerdict): string[] {
    return v.targets.flatMap((t) => t.input.results).filter((r) => r.type === 'notation').map((r) => r.error?.code ?? (r.valid ? 'valid' : 'invalid')).sort();
  }

  beforeAll(async () => {
    registry = await startRegistry(kind);
    // One layout at a time, one blob at a time: olareg v0.1.2 loses referrers pushed concurrently.
    for (const layout of readdirSync(LAYOUTS).sort()) {
      for (const tag of imageTags(layout)) {
        await exec(toolPath('oras'), ['cp', '-r', '--concurrency', '1', '--from-oci-layout', `${join(LAYOUTS, layout)}:${tag}`, '--to-plain-http', `${registry.host}/notation-e2e/${layout}:${tag}`], {
          timeout: 20_000, env: { PATH: process.env.PATH ?? '', HOME: work, DOCKER_CONFIG: work },
        });
      }
    }
    // The default cache (memory, SPEC TTLs), as `portcullis serve` builds it.
    const { registries, cache } = parseConfig({ registries: { insecure: [registry.host] } }, { baseDir: CONFIG, file: null });
    access = await createRegistryAccess({ registries, cache });
  }, 60_000);

  afterAll(async () => {
    await Promise.all(pipelines.map((p) => p.close()));
    await access?.close();
    await registry?.stop();
  });

  it('copies every layout under its tag v1', () => {
    expect(readdirSync(LAYOUTS).sort().map((l) => [l, imageTags(l)])).toEqual([
      ['e2e', ['v1']], ['e2e-expired-signature', ['v1']], ['e2e-invalid-signature', ['v1']], ['e2e-valid-multiple-signatures', ['v1']],
      ['e2e-valid-signature', ['v1']], ['e2e-with-expired-cert', ['v1']], ['e2e-with-invalid-timestamped-signature', ['v1']], ['e2e-with-timestamped-signature', ['v1']],
    ]);
  });

  // What the pipeline reads: olareg answers the referrers API; distribution has none, and `oras`
  // wrote the tag-schema index `sha256-<hex>` instead. Either way every signature got there.
  it(`holds each layout's signatures where a ${kind} registry keeps referrers`, async () => {
    const listed: Record<string, string[]> = {};
    const expected: Record<string, string[]> = {};
    for (const layout of readdirSync(LAYOUTS)) {
      const { image, referrers } = layoutReferrers(layout);
      expected[layout] = referrers;
      const repo = `${registry.url}/v2/notation-e2e/${layout}`;
      const url = kind === 'olareg' ? `${repo}/referrers/${image}` : `${repo}/manifests/${image.replace(':', '-')}`;
      const res = await fetch(url, { headers: { accept: 'application/vnd.oci.image.index.v1+json' }, signal: AbortSignal.timeout(5000) });
      // olareg answers an empty referrers list with `"manifests": null`.
      listed[layout] = res.status === 404 ? [] : (((await res.json()) as Partial<LayoutIndex>).manifests ?? []).map((m) => m.digest).sort();
    }
    expect(listed).toEqual(expected);
    expect(Object.values(expected).map((r) => r.length).sort()).toEqual([0, 1, 1, 1, 1, 1, 1, 2]);
  }, 30_000);

  it('e2e: denies the unsigned image', async () => {
    const v = await decide('e2e', e2eCa);
    expect(v).toMatchObject({ allowed: false, summary: 'denied: no verified referrers', reasons: ['no valid signature: no Notation or Cosign signature found for this image'] });
    expect(outcomes(v)).toEqual([]);
  }, 30_000);

  it('e2e-valid-signature: allows it, signed by the e2e certificate', async () => {
    const v = await decide('e2e-valid-signature', e2eCa);
    expect(v).toMatchObject({ allowed: true, reasons: [], summary: 'allowed: e2e ok' });
    const [r] = v.targets[0]!.input.results;
    expect(r).toMatchObject({ verifier: 'e2e', valid: true, message: 'signature by "CN=e2e,O=Notary,L=Seattle,ST=WA,C=US" is trusted by policy "e2e" (strict)' });
  }, 30_000);

  it('e2e-valid-multiple-signatures: allows it on the e2e signature although the other one is untrusted', async () => {
    const v = await decide('e2e-valid-multiple-signatures', e2eCa);
    expect(v).toMatchObject({ allowed: true, reasons: [], summary: 'allowed: e2e ok' });
    expect(outcomes(v)).toEqual(['UNTRUSTED_CHAIN', 'valid']);
  }, 30_000);

  it('e2e-expired-signature: denies it, naming the expired signature', async () => {
    const v = await decide('e2e-expired-signature', e2eCa);
    expect(v).toMatchObject({
      allowed: false, summary: 'denied: e2e invalid (EXPIRED_SIGNATURE)',
      reasons: ['no valid signature: notation "e2e": the signature expired at 2023-06-27T05:21:21.000Z'],
    });
    expect(outcomes(v)).toEqual(['EXPIRED_SIGNATURE']);
  }, 30_000);

  it('e2e-invalid-signature: denies it, naming the unreadable envelope', async () => {
    const v = await decide('e2e-invalid-signature', e2eCa);
    expect(v).toMatchObject({
      allowed: false, summary: 'denied: e2e invalid (UNSUPPORTED_ENVELOPE)',
      reasons: ['no valid signature: notation "e2e": signature envelope media type "application/vnd.oci.image.layer.v1.tar" is not application/jose+json or application/cose'],
    });
    expect(outcomes(v)).toEqual(['UNSUPPORTED_ENVELOPE']);
  }, 30_000);

  it('e2e-with-expired-cert: denies it, naming the expired certificate', async () => {
    const v = await decide('e2e-with-expired-cert', expiredCa);
    expect(v).toMatchObject({
      allowed: false, summary: 'denied: e2e invalid (EXPIRED_CERTIFICATE)',
      reasons: ['no valid signature: notation "e2e": certificate "C=AU,ST=Some-State,O=Internet Widgits Pty Ltd" expired at 2023-06-27T06:10:00.000Z and the signature has no trusted timestamp to prove it was made before'],
    });
    expect(outcomes(v)).toEqual(['EXPIRED_CERTIFICATE']);
  }, 30_000);

  it('e2e-with-expired-cert: allows it on a day the certificate was valid', async () => {
    const v = await decide('e2e-with-expired-cert', { ...expiredCa, now: new Date('2023-06-27T00:00:00Z') });
    expect(v).toMatchObject({ allowed: true, reasons: [], summary: 'allowed: e2e ok' });
  }, 30_000);

  // The countersignature is by Microsoft's public TSA, whose root is not among the vectors: the
  // pipeline gets as far as the unit test does (imprint, CMS signature, chain) and names the gap.
  it('e2e-with-timestamped-signature: denies it, naming the TSA chain the vectors cannot anchor', async () => {
    const v = await decide('e2e-with-timestamped-signature', timestamped());
    expect(v).toMatchObject({
      allowed: false, summary: 'denied: e2e invalid (TIMESTAMP_UNTRUSTED)',
      reasons: ['no valid signature: notation "e2e": timestamp: the TSA certificate "C=US,O=Microsoft Corporation,CN=Microsoft Public RSA Timestamping CA 2020" does not chain to a tsa trust store'],
    });
    expect(outcomes(v)).toEqual(['TIMESTAMP_UNTRUSTED']);
  }, 30_000);

  it('e2e-with-timestamped-signature: allows it with verifyTimestamp afterCertExpiry while the certificate was valid', async () => {
    const v = await decide('e2e-with-timestamped-signature', { ...timestamped(), policy: 'timestamp_after_cert_expiry_trustpolicy.json', now: new Date('2025-01-21T10:00:00Z') });
    expect(v).toMatchObject({ allowed: true, reasons: [], summary: 'allowed: e2e ok' });
    expect(v.targets[0]!.input.results[0]!.details).toMatchObject({ timestamp: null });
  }, 30_000);

  it('e2e-with-invalid-timestamped-signature: denies it, naming the invalid timestamp', async () => {
    const v = await decide('e2e-with-invalid-timestamped-signature', { ...timestamped(), stores: { ca: { e2e: [signerCertFile('e2e-with-invalid-timestamped-signature')] }, tsa: { e2e: TSA_ROOTS } } });
    // The token in this layout is cut short: its DER runs past the end (the unit test says TIMESTAMP_INVALID too).
    expect(v).toMatchObject({
      allowed: false, summary: 'denied: e2e invalid (TIMESTAMP_INVALID)',
      reasons: ['no valid signature: notation "e2e": timestamp: timestamp token is malformed: DER length 110 runs past the end of the input'],
    });
    expect(outcomes(v)).toEqual(['TIMESTAMP_INVALID']);
  }, 30_000);
});
