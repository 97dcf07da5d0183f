import { describe, expect, it } from '@jest/globals';
import type { AdmissionContext } from '../../../src/admission/ports.js';
import { createMemoryCache } from '../../../src/cache/memory-cache.js';
import { createImageValidator, NOT_PINNED_REASON, type ImageValidatorDeps } from '../../../src/validation/create-image-validator.js';
import { createFakePolicyEngine } from '../../helpers/fake-policy-engine.js';
import { createFakeReferrerRegistry } from '../../helpers/fake-referrer-registry.js';
import { createFakeVerifier } from '../../helpers/fake-verifier.js';

const NOTARY = 'application/vnd.cncf.notary.signature';
const SPDX = 'application/spdx+json';

function ctx(timeoutMs = 5_000): AdmissionContext {
  return {
    signal: AbortSignal.timeout(timeoutMs),
    deadline: Date.now() + timeoutMs,
    request: {
      uid: 'uid-1', operation: 'CREATE', namespace: 'team-a', kind: { group: 'apps', version: 'v1', kind: 'Deployment' }, name: 'web',
      userInfo: { username: 'alice', groups: ['devs'] }, dryRun: false,
    },
    pod: { serviceAccountName: 'builder', imagePullSecrets: ['regcred'] },
  };
}

function setup(overrides: Partial<ImageValidatorDeps['config']> = {}) {
  const registry = createFakeReferrerRegistry();
  const notation = createFakeVerifier({ name: 'release', type: 'notation', artifactTypes: [NOTARY] });
  const policy = createFakePolicyEngine();
  // Most cases name images by tag for brevity: requireDigest off unless a case turns it on.
  const deps = { client: registry, verifiers: [notation], policy, config: { platforms: 'index' as const, excludeImages: [], requireDigest: false, ...overrides } };
  return { registry, notation, policy, deps, validator: createImageValidator(deps) };
}

describe('createImageValidator', () => {
  it('allows a signed image and denies an unsigned one, naming it', async () => {
    const { registry, validator } = setup();
    const signed = registry.addImage('app', '1');
    registry.addImage('other', '2');
    registry.attach(signed, NOTARY, ['good']);
    const verdicts = await validator.validate(['registry.test/app:1', 'registry.test/other:2'], ctx());
    expect(verdicts).toEqual([
      { image: 'registry.test/app:1', allowed: true, reasons: [], warnings: [], summary: 'allowed: release ok' },
      { image: 'registry.test/other:2', allowed: false, reasons: ['no valid signature'], warnings: [], summary: 'denied: no verified referrers' },
    ]);
  });

  it('gives the policy the SPEC input: subject, request (without dryRun), results and errors', async () => {
    const { registry, policy, validator } = setup();
    const img = registry.addImage('app', '1');
    const sig = registry.attach(img, NOTARY, ['good'], { annotations: { 'io.cncf.notary.x509chain.thumbprint#S256': '["ab"]' } });
    await validator.validate(['registry.test/app:1'], ctx());
    expect(policy.inputs).toEqual([{
      subject: {
        reference: `registry.test/app:1@${img.digest}`, registry: 'registry.test', repository: 'app', tag: '1',
        digest: img.digest, mediaType: 'application/vnd.oci.image.manifest.v1+json',
      },
      request: {
        uid: 'uid-1', operation: 'CREATE', namespace: 'team-a', kind: { group: 'apps', version: 'v1', kind: 'Deployment' }, name: 'web',
        userInfo: { username: 'alice', groups: ['devs'] },
      },
      results: [{
        verifier: 'release', type: 'notation', artifactType: NOTARY,
        referrer: { digest: sig.digest, mediaType: 'application/vnd.oci.image.manifest.v1+json', annotations: { 'io.cncf.notary.x509chain.thumbprint#S256': '["ab"]' } },
        valid: true, message: 'signed by release', details: { text: 'good' }, nested: [],
      }],
      errors: [],
    }]);
  });

  it('gives the policy the canonical registry and reference whatever spelling the Pod used', async () => {
    const { registry, policy, validator } = setup();
    const img = registry.addImage('app', '1');
    registry.attach(img, NOTARY, ['good']);
    const verdicts = await validator.validate(['REGISTRY.Test:443/app:1'], ctx());
    expect(verdicts[0]).toMatchObject({ image: 'REGISTRY.Test:443/app:1', allowed: true });
    expect(policy.inputs.map((i) => i.subject)).toEqual([{
      reference: `registry.test/app:1@${img.digest}`, registry: 'registry.test', repository: 'app', tag: '1',
      digest: img.digest, mediaType: 'application/vnd.oci.image.manifest.v1+json',
    }]);
  });

  it('uses the pod credential scope for registry calls', async () => {
    const { registry, validator } = setup();
    registry.addImage('app', '1');
    await validator.validate(['registry.test/app:1'], ctx());
    expect(registry.scopes).toEqual([{ namespace: 'team-a', serviceAccountName: 'builder', imagePullSecrets: ['regcred'] }]);
  });

  it('validates each unique image once', async () => {
    const { registry, validator, policy } = setup();
    registry.addImage('app', '1');
    const verdicts = await validator.validate(['registry.test/app:1', 'registry.test/app:1'], ctx());
    expect(verdicts).toHaveLength(1);
    expect(policy.inputs).toHaveLength(1);
  });

  it('only runs verifiers on referrers of their artifact types, and only where they apply', async () => {
    const { registry, deps } = setup();
    const img = registry.addImage('app', '1');
    registry.attach(img, 'application/vnd.example.other', ['good']);
    registry.attach(img, NOTARY, ['good'], { listArtifactType: false }); // type read from the referrer manifest
    const scoped = createFakeVerifier({ name: 'scoped', type: 'cosign', artifactTypes: [NOTARY], appliesTo: (s) => s.repository === 'elsewhere' });
    const validator = createImageValidator({ ...deps, verifiers: [...deps.verifiers, scoped] });
    const [v] = await validator.validate(['registry.test/app:1'], ctx());
    expect(v!.allowed).toBe(true);
    expect((deps.verifiers[0] as ReturnType<typeof createFakeVerifier>).calls).toHaveLength(1);
    expect(scoped.calls).toHaveLength(0);
  });

  it('reads the real artifact type from the manifest when the listing names the empty config type (Cosign bundles in the tag schema)', async () => {
    const { registry, deps } = setup();
    const img = registry.addImage('app', '1');
    registry.attach(img, NOTARY, ['good'], { listArtifactType: 'application/vnd.oci.empty.v1+json' });
    const validator = createImageValidator(deps);
    const [v] = await validator.validate(['registry.test/app:1'], ctx());
    expect(v!.allowed).toBe(true);
    expect((deps.verifiers[0] as ReturnType<typeof createFakeVerifier>).calls).toHaveLength(1);
  });

  it('ignores a referrer whose manifest names another subject, reporting it under the fetch stage', async () => {
    const { registry, deps, policy } = setup();
    const img = registry.addImage('app', '1');
    const other = registry.addImage('other', '1');
    // A valid signature made for `other`, listed (e.g. through a tag-schema index) under `app`.
    registry.attach(img, NOTARY, ['good'], { claimSubject: other });
    registry.attach(img, NOTARY, ['good'], { claimSubject: null });
    const [v] = await createImageValidator(deps).validate(['registry.test/app:1'], ctx());
    expect(v!.allowed).toBe(false);
    expect((deps.verifiers[0] as ReturnType<typeof createFakeVerifier>).calls).toHaveLength(0);
    const errors = policy.inputs[0]!.errors;
    expect(errors).toHaveLength(2);
    expect(errors.every((e) => e.stage === 'fetch')).toBe(true);
    expect(errors.map((e) => e.message)).toEqual(expect.arrayContaining([
      expect.stringContaining(`names subject ${other.digest}, not ${img.digest}`),
      expect.stringContaining(`names no subject, not ${img.digest}`),
    ]));
  });

  describe('listing entries are untrusted (docs/validation.md "The trust boundary")', () => {
    const OLD_MARKER = 'dev.portcullis.tag';

    it('an entry carrying the old internal Cosign-tag annotation still has to name this subject', async () => {
      const { registry, deps, policy } = setup();
      const img = registry.addImage('app', '1');
      const other = registry.addImage('other', '1');
      registry.attach(img, NOTARY, ['good'], { claimSubject: other, listAnnotations: { [OLD_MARKER]: `sha256-${img.digest.slice(7)}.sig` } });
      const [v] = await createImageValidator(deps).validate(['registry.test/app:1'], ctx());
      expect(v!.allowed).toBe(false);
      expect((deps.verifiers[0] as ReturnType<typeof createFakeVerifier>).calls).toHaveLength(0);
      expect(policy.inputs[0]!.errors[0]!.message).toContain(`names subject ${other.digest}, not ${img.digest}: ignored`);
    });

    it('an entry found through a Cosign tag may name no subject, and goes to signature verifiers only', async () => {
      const { registry, deps } = setup();
      const sbom = createFakeVerifier({ name: 'sbom', type: 'sbom', artifactTypes: [SPDX] });
      const cosign = createFakeVerifier({ name: 'cosign', type: 'cosign', artifactTypes: [SPDX] });
      const img = registry.addImage('app', '1');
      registry.attach(img, SPDX, ['good'], { claimSubject: null, source: 'cosign-tag' });
      const [v] = await createImageValidator({ ...deps, verifiers: [sbom, cosign] }).validate(['registry.test/app:1'], ctx());
      expect(sbom.calls).toHaveLength(0);
      expect(cosign.calls).toHaveLength(1);
      expect(v!.allowed).toBe(true);
    });

    it('an entry found through a Cosign tag that names another subject is refused', async () => {
      const { registry, deps, notation } = setup();
      const img = registry.addImage('app', '1');
      registry.attach(img, NOTARY, ['good'], { claimSubject: registry.addImage('other', '1'), source: 'cosign-tag' });
      expect((await createImageValidator(deps).validate(['registry.test/app:1'], ctx()))[0]!.allowed).toBe(false);
      expect(notation.calls).toHaveLength(0);
    });

    it('verifiers and the policy see the annotations of the referrer\'s own manifest, never the listing\'s', async () => {
      const { registry, deps, policy, notation } = setup();
      const img = registry.addImage('app', '1');
      registry.attach(img, NOTARY, ['good'], { annotations: { 'org.opencontainers.image.created': '2020-01-01T00:00:00Z' }, listAnnotations: { 'org.opencontainers.image.created': '2099-01-01T00:00:00Z', [OLD_MARKER]: 'x' } });
      await createImageValidator(deps).validate(['registry.test/app:1'], ctx());
      expect(notation.calls[0]!.artifact.descriptor.annotations).toEqual({ 'org.opencontainers.image.created': '2020-01-01T00:00:00Z' });
      expect(policy.inputs[0]!.results[0]!.referrer.annotations).toEqual({ 'org.opencontainers.image.created': '2020-01-01T00:00:00Z' });
    });
  });

  it('reads no referrer manifest on the warm path (the subject check ran when the result was made)', async () => {
    const { registry, deps } = setup();
    const img = registry.addImage('app', '1');
    registry.attach(img, NOTARY, ['good']);
    const validator = createImageValidator({ ...deps, cache: createMemoryCache() });
    const [cold] = await validator.validate(['registry.test/app:1'], ctx());
    const fetchesAfterCold = registry.calls.fetchManifest;
    const [warm] = await validator.validate(['registry.test/app:1'], ctx());
    expect(cold!.allowed).toBe(true);
    expect(warm!.allowed).toBe(true);
    expect(fetchesAfterCold).toBeGreaterThan(0);
    expect(registry.calls.fetchManifest).toBe(fetchesAfterCold);
  });

  it('does not share a cached result between repositories holding the same digest', async () => {
    const { registry, deps } = setup();
    const a = registry.addImage('team-a/app', '1', 'same');
    const b = registry.addImage('team-b/app', '1', 'same');
    expect(a.digest).toBe(b.digest);
    registry.attach(a, NOTARY, ['good']);
    const validator = createImageValidator({ ...deps, cache: createMemoryCache() });
    await validator.validate(['registry.test/team-a/app:1'], ctx());
    await validator.validate(['registry.test/team-b/app:1'], ctx());
    const calls = (deps.verifiers[0] as ReturnType<typeof createFakeVerifier>).calls;
    expect(calls.map((c) => c.subject.repository)).toEqual(['team-a/app', 'team-b/app']);
  });

  describe('validation.platforms', () => {
    const platforms = [{ os: 'linux', architecture: 'amd64' }, { os: 'linux', architecture: 'arm64', variant: 'v8' }];

    it('index: verifies the index itself', async () => {
      const { registry, validator, policy } = setup();
      const { index } = registry.addIndex('multi', '1', platforms);
      registry.attach(index, NOTARY, ['good']);
      const [v] = await validator.validate(['registry.test/multi:1'], ctx());
      expect(v!.allowed).toBe(true);
      expect(policy.inputs.map((i) => i.subject.digest)).toEqual([index.digest]);
    });

    it('a platform list: verifies those platform manifests, each its own policy input', async () => {
      const { registry, validator, policy } = setup({ platforms: ['linux/arm64', 'linux/amd64'] });
      const { manifests } = registry.addIndex('multi', '1', platforms);
      registry.attach(manifests[0]!, NOTARY, ['good']);
      const [v] = await validator.validate(['registry.test/multi:1'], ctx());
      // Evaluated as each finishes: compare as a set.
      const key = (x: [string, unknown]) => x[0];
      expect(policy.inputs.map((i): [string, unknown] => [i.subject.digest, i.subject.platform]).sort((a, b) => key(a).localeCompare(key(b))))
        .toEqual(([[manifests[0]!.digest, platforms[0]], [manifests[1]!.digest, platforms[1]]] as [string, unknown][]).sort((a, b) => key(a).localeCompare(key(b))));
      expect(v!.allowed).toBe(false);
      expect(v!.reasons).toEqual(['linux/arm64/v8: no valid signature']);
    });

    it('a platform list: an entry for an unlisted platform makes the index verify too (here it does)', async () => {
      const { registry, validator, policy } = setup({ platforms: ['linux/arm64'] });
      const { index, manifests } = registry.addIndex('multi', '1', platforms);
      registry.attach(index, NOTARY, ['good']);
      registry.attach(manifests[1]!, NOTARY, ['good']);
      const [v] = await validator.validate(['registry.test/multi:1'], ctx());
      expect(policy.inputs.map((i) => i.subject.digest).sort()).toEqual([manifests[1]!.digest, index.digest].sort());
      expect(v).toMatchObject({ allowed: true, reasons: [] });
    });

    it('a platform list: an unverified entry for an unlisted platform and an unsigned index deny, naming the platform', async () => {
      const { registry, validator } = setup({ platforms: ['linux/arm64'] });
      const { manifests } = registry.addIndex('multi', '1', platforms);
      registry.attach(manifests[1]!, NOTARY, ['good']);
      const [v] = await validator.validate(['registry.test/multi:1'], ctx());
      expect(v).toMatchObject({ allowed: false, reasons: ['index (verified for linux/amd64, not in validation.platforms): no valid signature'] });
    });

    it('a platform list matches after the runtime\'s normalisation (x86_64 is amd64, arm64 is arm64/v8)', async () => {
      const { registry, validator, policy } = setup({ platforms: ['linux/amd64', 'linux/arm64/v8'] });
      const { manifests } = registry.addIndex('multi', '1', [{ os: 'Linux', architecture: 'x86_64' }, { os: 'linux', architecture: 'aarch64' }]);
      for (const m of manifests) registry.attach(m, NOTARY, ['good']);
      const [v] = await validator.validate(['registry.test/multi:1'], ctx());
      expect(policy.inputs.map((i) => i.subject.digest).sort()).toEqual(manifests.map((m) => m.digest).sort());
      expect(v!.allowed).toBe(true);
    });

    it('both: the index and every platform (attestation manifests left out); all must pass', async () => {
      const { registry, validator, policy } = setup({ platforms: 'both' });
      const { index, manifests } = registry.addIndex('multi', '1', platforms);
      registry.attach(index, NOTARY, ['good']);
      registry.attach(manifests[0]!, NOTARY, ['good']);
      registry.attach(manifests[1]!, NOTARY, ['forged']);
      const [v] = await validator.validate(['registry.test/multi:1'], ctx());
      expect(policy.inputs.map((i) => i.subject.digest)).toEqual([index.digest, manifests[0]!.digest, manifests[1]!.digest]);
      expect(v).toMatchObject({ allowed: false, reasons: ['linux/arm64/v8: no valid signature'] });
      expect(v!.summary).toBe('denied: release ok; linux/amd64: release ok; linux/arm64/v8: release invalid');
    });

    it('a platform list none of which is in the index: an error entry naming the stage', async () => {
      const { registry, validator, policy } = setup({ platforms: ['windows/amd64'] });
      const { index } = registry.addIndex('multi', '1', platforms);
      registry.attach(index, NOTARY, ['good']);
      const [v] = await validator.validate(['registry.test/multi:1'], ctx());
      expect(v!.allowed).toBe(false);
      expect(policy.inputs[0]!.errors).toEqual([{ stage: 'platforms', message: 'the image index has none of the platforms windows/amd64' }]);
    });
  });

  describe('nested referrers', () => {
    it('verifies the signatures on an SBOM and hands them to the SBOM verifier', async () => {
      const { registry, deps } = setup();
      const img = registry.addImage('app', '1');
      registry.attach(img, NOTARY, ['good']);
      const sbom = registry.attach(img, SPDX, ['{"spdxVersion":"SPDX-2.3"}']);
      const sbomSig = registry.attach(sbom, NOTARY, ['good']);
      const sbomVerifier = createFakeVerifier({
        name: 'sbom', type: 'sbom', artifactTypes: [SPDX], nestedRequirement: { verifiers: ['release'] },
        decide: (_t, c) => (c.nested.some((n) => n.valid) ? { valid: true, message: 'sbom ok, signed' } : { valid: false, message: 'sbom is not signed' }),
      });
      const validator = createImageValidator({ ...deps, verifiers: [...deps.verifiers, sbomVerifier] });
      const [v] = await validator.validate(['registry.test/app:1'], ctx());
      expect(v!.allowed).toBe(true);
      expect(sbomVerifier.calls).toHaveLength(1);
      const nested = sbomVerifier.calls[0]!.ctx.nested;
      expect(nested.map((n) => [n.verifier, n.referrer.digest, n.valid])).toEqual([['release', sbomSig.digest, true]]);
      const signer = deps.verifiers[0] as ReturnType<typeof createFakeVerifier>;
      expect(signer.calls.map((c) => c.subject.digest)).toEqual(expect.arrayContaining([img.digest, sbom.digest]));
      expect(signer.calls.find((c) => c.subject.digest === sbom.digest)!.subject.reference).toBe(`registry.test/app@${sbom.digest}`);
    });
  });

  describe('validation.excludeImages', () => {
    it('allows an excluded image with a note, without touching the registry', async () => {
      const { registry, validator } = setup({ excludeImages: ['registry.test/tools/*'] });
      const [v] = await validator.validate(['registry.test/tools/debug:1'], ctx());
      expect(v).toEqual({ image: 'registry.test/tools/debug:1', allowed: true, reasons: [], warnings: [], summary: 'excluded by validation.excludeImages' });
      expect(registry.calls.resolve).toBe(0);
    });
    it('matches the normalised name too (Docker Hub)', async () => {
      const { validator } = setup({ excludeImages: ['docker.io/library/busybox*'] });
      const [v] = await validator.validate(['busybox:1.36'], ctx());
      expect(v!.summary).toBe('excluded by validation.excludeImages');
    });
  });

  describe('when a stage cannot finish before the deadline', () => {
    it('returns at the deadline with an error entry naming the stage', async () => {
      const { registry, validator, policy } = setup();
      registry.addImage('app', '1');
      registry.misbehave('listReferrers', 'hang');
      const [v] = await validator.validate(['registry.test/app:1'], ctx(200));
      expect(v!.allowed).toBe(false);
      expect(policy.inputs[0]!.errors).toEqual([{ stage: 'referrers', message: expect.stringContaining('deadline exceeded before referrers could finish') }]);
    });

    it('a verifier that never returns becomes an error result, not a hang', async () => {
      const { registry, deps, policy } = setup();
      const img = registry.addImage('app', '1');
      registry.attach(img, NOTARY, ['good']);
      const stuck = createFakeVerifier({ name: 'stuck', type: 'notation', artifactTypes: [NOTARY], decide: () => 'hang' });
      const validator = createImageValidator({ ...deps, verifiers: [stuck] });
      const [v] = await validator.validate(['registry.test/app:1'], ctx(200));
      expect(v!.allowed).toBe(false);
      expect(policy.inputs[0]!.results[0]!.error).toEqual({ code: 'DEADLINE_EXCEEDED', message: 'deadline exceeded before verification could finish' });
    });

    it('reports a failed resolution as the resolve stage', async () => {
      const { validator, policy } = setup();
      const [v] = await validator.validate(['registry.test/missing:1'], ctx());
      expect(v!.allowed).toBe(false);
      expect(policy.inputs[0]!.errors).toEqual([{ stage: 'resolve', message: 'registry.test/missing:1: manifest unknown' }]);
      expect(policy.inputs[0]!.subject).toMatchObject({ digest: '', reference: 'registry.test/missing:1' });
    });
  });

  it('turns a verifier exception into an error result carrying its code', async () => {
    const { registry, deps, policy } = setup();
    const img = registry.addImage('app', '1');
    registry.attach(img, NOTARY, ['good']);
    const broken = createFakeVerifier({ name: 'broken', type: 'notation', artifactTypes: [NOTARY], decide: () => 'throw' });
    await createImageValidator({ ...deps, verifiers: [broken] }).validate(['registry.test/app:1'], ctx());
    expect(policy.inputs[0]!.results[0]).toMatchObject({ verifier: 'broken', valid: false, error: { code: 'MALFORMED_ENVELOPE', message: 'envelope is not JSON' } });
  });

  it('refuses artifacts over the size cap without fetching them', async () => {
    const { registry, deps, policy } = setup();
    const img = registry.addImage('app', '1');
    registry.attach(img, NOTARY, ['x'.repeat(2048)]);
    await createImageValidator({ ...deps, config: { ...deps.config, maxArtifactBytes: 1024 } }).validate(['registry.test/app:1'], ctx());
    expect(registry.calls.fetchBlob).toBe(0);
    expect(policy.inputs[0]!.errors).toEqual([{ stage: 'fetch', message: expect.stringContaining('over the 1024-byte limit') }]);
  });

  describe('the result cache', () => {
    it('reuses a result for the same subject, referrer and verifier configuration', async () => {
      const { registry, deps, notation } = setup();
      const img = registry.addImage('app', '1');
      registry.attach(img, NOTARY, ['good']);
      const validator = createImageValidator({ ...deps, cache: createMemoryCache() });
      await validator.validate(['registry.test/app:1'], ctx());
      const fetched = registry.calls.fetchBlob;
      const [again] = await validator.validate(['registry.test/app:1'], ctx());
      expect(again!.allowed).toBe(true);
      expect(notation.calls).toHaveLength(1);
      expect(registry.calls.fetchBlob).toBe(fetched);
    });

    it('misses when the verifier configuration or trust material changes', async () => {
      const { registry, deps, notation } = setup();
      const img = registry.addImage('app', '1');
      registry.attach(img, NOTARY, ['good']);
      const validator = createImageValidator({ ...deps, cache: createMemoryCache() });
      await validator.validate(['registry.test/app:1'], ctx());
      notation.setConfigHash('config-2');
      await validator.validate(['registry.test/app:1'], ctx());
      expect(notation.calls).toHaveLength(2);
    });

    it('caches an invalid result the verifier returned, with its failed-check code', async () => {
      const { registry, deps } = setup();
      const img = registry.addImage('app', '1');
      registry.attach(img, NOTARY, ['bad']);
      const strict = createFakeVerifier({ name: 'strict', type: 'notation', artifactTypes: [NOTARY], decide: () => ({ valid: false, message: 'certificate chain does not lead to trust store ca:release', error: { code: 'UNTRUSTED_CHAIN', message: 'untrusted' } }) });
      const validator = createImageValidator({ ...deps, verifiers: [strict], cache: createMemoryCache() });
      const [first] = await validator.validate(['registry.test/app:1'], ctx());
      await validator.validate(['registry.test/app:1'], ctx());
      expect(first!.allowed).toBe(false);
      expect(strict.calls).toHaveLength(1);
    });

    it('does not cache a valid result past its expiry, nor one already expired', async () => {
      const { registry, deps } = setup();
      const img = registry.addImage('app', '1');
      registry.attach(img, NOTARY, ['good']);
      const expired = createFakeVerifier({ name: 'expiring', type: 'notation', artifactTypes: [NOTARY], decide: (_t, c) => ({ valid: true, message: 'signed', expiresAt: new Date(c.now.getTime() - 1000).toISOString() }) });
      const validator = createImageValidator({ ...deps, verifiers: [expired], cache: createMemoryCache() });
      await validator.validate(['registry.test/app:1'], ctx());
      await validator.validate(['registry.test/app:1'], ctx());
      expect(expired.calls).toHaveLength(2);

      const lasting = createFakeVerifier({ name: 'lasting', type: 'notation', artifactTypes: [NOTARY], decide: (_t, c) => ({ valid: true, message: 'signed', expiresAt: new Date(c.now.getTime() + 3_600_000).toISOString() }) });
      const cached = createImageValidator({ ...deps, verifiers: [lasting], cache: createMemoryCache() });
      await cached.validate(['registry.test/app:1'], ctx());
      await cached.validate(['registry.test/app:1'], ctx());
      expect(lasting.calls).toHaveLength(1);
    });

    it('does not cache errors', async () => {
      const { registry, deps } = setup();
      const img = registry.addImage('app', '1');
      registry.attach(img, NOTARY, ['good']);
      const broken = createFakeVerifier({ name: 'broken', type: 'notation', artifactTypes: [NOTARY], decide: () => 'throw' });
      const validator = createImageValidator({ ...deps, verifiers: [broken], cache: createMemoryCache() });
      await validator.validate(['registry.test/app:1'], ctx());
      await validator.validate(['registry.test/app:1'], ctx());
      expect(broken.calls).toHaveLength(2);
    });
  });

  describe('when the policy fails', () => {
    const failing = () => createFakePolicyEngine(() => { throw Object.assign(new Error('decision.allowed is not a boolean'), { code: 'INVALID_DECISION' }); });
    // admission.failurePolicy is for Portcullis itself failing; it never reaches the validator.
    it('denies that image with the policy error', async () => {
      const { registry, deps } = setup();
      registry.addImage('app', '1');
      const [v] = await createImageValidator({ ...deps, policy: failing() }).validate(['registry.test/app:1'], ctx());
      expect(v).toMatchObject({ allowed: false, reasons: ['policy error: decision.allowed is not a boolean'] });
    });
  });

  it('denies an image whose validation fails unexpectedly, naming the cause, and still answers for the others', async () => {
    const { registry, deps } = setup();
    registry.addImage('app', '1');
    const signed = registry.addImage('ok', '1');
    registry.attach(signed, NOTARY, ['good']);
    // A verifier whose appliesTo throws: a fault outside every stage.
    const faulty = { ...deps.verifiers[0]!, appliesTo: (s: { repository: string }) => { if (s.repository === 'app') throw new Error('scope table corrupt'); return true; } };
    const verdicts = await createImageValidator({ ...deps, verifiers: [faulty] }).validate(['registry.test/app:1', 'registry.test/ok:1'], ctx());
    expect(verdicts.map((v) => [v.image, v.allowed, v.reasons])).toEqual([
      ['registry.test/app:1', false, ['validation failed: scope table corrupt']],
      ['registry.test/ok:1', true, []],
    ]);
  });

  describe('validation.requireDigest (enforce mode verifies the digest the spec names)', () => {
    it('denies an image without a digest as not pinned, without asking the registry', async () => {
      const { registry, deps } = setup({ requireDigest: true });
      registry.attach(registry.addImage('app', '1'), NOTARY, ['good']);
      const [v] = await createImageValidator(deps).validate(['registry.test/app:1'], ctx(), { mode: 'enforce' });
      expect(v).toMatchObject({ allowed: false, reasons: [NOT_PINNED_REASON], summary: 'denied: not pinned to a digest' });
      expect(registry.calls.resolve).toBe(0);
    });
    it('counts a call without a mode as enforce', async () => {
      const { registry, deps } = setup({ requireDigest: true });
      registry.attach(registry.addImage('app', '1'), NOTARY, ['good']);
      expect((await createImageValidator(deps).validate(['registry.test/app:1'], ctx()))[0]!.allowed).toBe(false);
    });
    it('is the default', async () => {
      const { registry, deps } = setup();
      registry.attach(registry.addImage('app', '1'), NOTARY, ['good']);
      const { requireDigest: _, ...config } = deps.config;
      expect((await createImageValidator({ ...deps, config }).validate(['registry.test/app:1'], ctx()))[0]!.reasons).toEqual([NOT_PINNED_REASON]);
    });
    it('verifies the digest the image names', async () => {
      const { registry, deps, policy } = setup({ requireDigest: true });
      const img = registry.addImage('app', '1');
      registry.attach(img, NOTARY, ['good']);
      const [v] = await createImageValidator(deps).validate([`registry.test/app:1@${img.digest}`], ctx(), { mode: 'enforce' });
      expect(v!.allowed).toBe(true);
      expect(policy.inputs[0]!.subject.digest).toBe(img.digest);
    });
    it.each(['warn', 'audit'] as const)('resolves the tag in %s mode, to report on it', async (mode) => {
      const { registry, deps } = setup({ requireDigest: true });
      registry.attach(registry.addImage('app', '1'), NOTARY, ['good']);
      expect((await createImageValidator(deps).validate(['registry.test/app:1'], ctx(), { mode }))[0]!.allowed).toBe(true);
    });
    it('resolves the tag in enforce mode when the operator opts out (requireDigest: false)', async () => {
      const { registry, deps } = setup({ requireDigest: false });
      registry.attach(registry.addImage('app', '1'), NOTARY, ['good']);
      expect((await createImageValidator(deps).validate(['registry.test/app:1'], ctx(), { mode: 'enforce' }))[0]!.allowed).toBe(true);
    });
  });

  it('denies an invalid reference with the parser message', async () => {
    const { validator } = setup();
    const [v] = await validator.validate(['UPPER/Case::bad'], ctx());
    expect(v!.allowed).toBe(false);
    expect(v!.reasons[0]).toMatch(/^invalid image reference: /);
  });
});
