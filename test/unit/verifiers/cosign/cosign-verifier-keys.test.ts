import { describe, expect, it } from '@jest/globals';
import { ANNOTATION_BUNDLE, ANNOTATION_SIGNATURE } from '../../../../src/verifiers/cosign/legacy/read-legacy-signatures.js';
import type { Verifier } from '../../../../src/verifiers/verifier.js';
import {
  OTHER_DIGEST,
  TEST_DIGEST,
  buildCosignVerifier,
  cosignSign,
  tempDirWith,
  testKey,
  testSubject,
  verifyContext,
  type TestKey,
  type TestKeyType,
} from '../../../helpers/cosign-test-fixtures.js';
import { legacySigArtifact, simpleSigningPayload, type LegacyLayerInput } from '../../../helpers/legacy-sig-artifact.js';
import { createTestSigstoreCa } from '../../../helpers/test-sigstore-ca.js';

const ca = createTestSigstoreCa();
const p256 = testKey('ecdsa-p256');
const dir = tempDirWith({ 'cosign.pub': p256.publicPem, 'trusted_root.json': ca.trustedRootJson });

function signedLayer(key: TestKey, digest = TEST_DIGEST, extra: Record<string, string> = {}): LegacyLayerInput {
  const payload = simpleSigningPayload(digest);
  return { payload, annotations: { [ANNOTATION_SIGNATURE]: cosignSign(payload, key.privateKey).toString('base64'), ...extra } };
}

async function verify(verifier: Verifier, layers: LegacyLayerInput[], digest = TEST_DIGEST) {
  return verifier.verify(testSubject(digest), legacySigArtifact(layers), verifyContext());
}

function signatures(result: { details: Record<string, unknown> }) {
  return result.details.signatures as Array<Record<string, unknown>>;
}

describe('CosignVerifier with public keys, on legacy .sig signatures', () => {
  describe.each<TestKeyType>(['ecdsa-p256', 'ecdsa-p384', 'ecdsa-p521', 'rsa-2048', 'rsa-4096', 'ed25519'])('with an %s key', (type) => {
    it('accepts a signature by that key', async () => {
      const key = type === 'ecdsa-p256' ? p256 : testKey(type);
      const verifier = await buildCosignVerifier({ key: key.publicPem, tlog: { required: false } }, dir);
      const result = await verify(verifier, [signedLayer(key)]);
      expect(result).toMatchObject({ valid: true, type: 'cosign', verifier: 'cosign-test', artifactType: 'application/vnd.dev.cosign.artifact.sig.v1+json' });
      expect(signatures(result)).toEqual([{ format: 'legacy', layer: 0, key: 'inline key #1', keyFingerprint: expect.stringMatching(/^sha256:[0-9a-f]{64}$/), tlog: null, valid: true, message: 'signed by key inline key #1' }]);
    }, 30_000);
  });

  describe('when tlog is not required', () => {
    let verifier: Verifier;
    const setup = async () => (verifier ??= await buildCosignVerifier({ key: 'cosign.pub', tlog: { required: false } }, dir));

    it('names the key file in the message', async () => {
      const result = await verify(await setup(), [signedLayer(p256)]);
      expect(result.message).toBe('signed by key cosign.pub');
    });

    it('refuses a signature for another image digest with PAYLOAD_DIGEST_MISMATCH', async () => {
      const result = await verify(await setup(), [signedLayer(p256, OTHER_DIGEST)]);
      expect(result.valid).toBe(false);
      expect(signatures(result)[0]).toMatchObject({ valid: false, failedCheck: 'PAYLOAD_DIGEST_MISMATCH' });
      expect(result.message).toContain(OTHER_DIGEST);
    });

    it('refuses a signature by another key with WRONG_KEY', async () => {
      const result = await verify(await setup(), [signedLayer(testKey('ecdsa-p256'))]);
      expect(signatures(result)[0]).toMatchObject({ valid: false, failedCheck: 'WRONG_KEY' });
    });

    it('refuses a payload altered after signing with SIGNATURE_INVALID when the key is known to be ours (RSA)', async () => {
      const rsa = testKey('rsa-2048');
      const v = await buildCosignVerifier({ key: rsa.publicPem, tlog: { required: false } }, dir);
      const layer = signedLayer(rsa);
      const altered = { ...layer, payload: Buffer.from(layer.payload.toString().replace('"optional":null', '"optional":{"x":"y"}')) };
      const result = await verify(v, [altered]);
      expect(signatures(result)[0]).toMatchObject({ valid: false, failedCheck: 'SIGNATURE_INVALID' });
    });

    it('accepts the image when any one layer is a valid signature, with details for each', async () => {
      const result = await verify(await setup(), [signedLayer(testKey('ecdsa-p256')), signedLayer(p256, OTHER_DIGEST), signedLayer(p256)]);
      expect(result.valid).toBe(true);
      expect(signatures(result).map((s) => [s.layer, s.valid, s.failedCheck])).toEqual([
        [0, false, 'WRONG_KEY'],
        [1, false, 'PAYLOAD_DIGEST_MISMATCH'],
        [2, true, undefined],
      ]);
    });

    it('accepts a signature by any of several keys', async () => {
      const second = testKey('ed25519');
      const v = await buildCosignVerifier({ keys: ['cosign.pub', second.publicPem], tlog: { required: false } }, dir);
      const result = await verify(v, [signedLayer(second)]);
      expect(result).toMatchObject({ valid: true, message: 'signed by key inline key #1' });
    });

    it('refuses a payload blob that does not hash to its layer digest with BLOB_DIGEST_MISMATCH', async () => {
      const artifact = legacySigArtifact([signedLayer(p256)]);
      const swapped = { ...artifact, blobs: [{ ...artifact.blobs[0]!, bytes: simpleSigningPayload(OTHER_DIGEST) }] };
      const result = await (await setup()).verify(testSubject(), swapped, verifyContext());
      expect(signatures(result)[0]).toMatchObject({ valid: false, failedCheck: 'BLOB_DIGEST_MISMATCH' });
    });

    it('refuses a layer without a signature annotation as MALFORMED', async () => {
      const result = await verify(await setup(), [{ payload: simpleSigningPayload(TEST_DIGEST), annotations: {} }]);
      expect(signatures(result)[0]).toMatchObject({ valid: false, failedCheck: 'MALFORMED' });
    });

    it('reports a .sig manifest that is not JSON as an error, not a crash', async () => {
      const artifact = legacySigArtifact([signedLayer(p256)]);
      const broken = { ...artifact, manifest: { ...artifact.manifest, bytes: Buffer.from('{not json') } };
      const result = await (await setup()).verify(testSubject(), broken, verifyContext());
      expect(result).toMatchObject({ valid: false, error: { code: 'MALFORMED' } });
    });

    it('ignores a Rekor bundle it cannot check (cosign --insecure-ignore-tlog)', async () => {
      const layer = signedLayer(p256);
      const sig = Buffer.from(layer.annotations[ANNOTATION_SIGNATURE]!, 'base64');
      const foreign = createTestSigstoreCa().rekorBundleAnnotation({ payload: layer.payload, signature: sig, verifierPem: p256.publicPem });
      const result = await verify(await setup(), [{ ...layer, annotations: { ...layer.annotations, [ANNOTATION_BUNDLE]: foreign } }]);
      expect(result.valid).toBe(true);
    });
  });

  describe('when a transparency-log proof is required (the default)', () => {
    let verifier: Verifier;
    const setup = async () => (verifier ??= await buildCosignVerifier({ key: 'cosign.pub', trustedRoot: 'trusted_root.json' }, dir));

    function withRekor(key: TestKey, options: { signWith?: TestKey; logIndex?: number } = {}): LegacyLayerInput {
      const layer = signedLayer(key);
      const sig = Buffer.from(layer.annotations[ANNOTATION_SIGNATURE]!, 'base64');
      const bundle = ca.rekorBundleAnnotation({ payload: layer.payload, signature: sig, verifierPem: key.publicPem, logIndex: options.logIndex ?? 7, ...(options.signWith ? { signWith: options.signWith.privateKey } : {}) });
      return { ...layer, annotations: { ...layer.annotations, [ANNOTATION_BUNDLE]: bundle } };
    }

    it('accepts a signature with a valid SignedEntryTimestamp and reports the log entry', async () => {
      const result = await verify(await setup(), [withRekor(p256, { logIndex: 1234 })]);
      expect(result.valid).toBe(true);
      expect(signatures(result)[0]).toMatchObject({ valid: true, tlog: { logIndex: 1234, integratedTime: expect.any(Number) } });
      expect(result.message).toMatch(/^signed by key cosign\.pub, logged at index 1234 \(/);
    });

    it('refuses a signature without a Rekor bundle with TLOG_MISSING', async () => {
      const result = await verify(await setup(), [signedLayer(p256)]);
      expect(signatures(result)[0]).toMatchObject({ valid: false, failedCheck: 'TLOG_MISSING', tlog: null });
    });

    it('refuses a SignedEntryTimestamp not made by the trusted log with TLOG_INVALID', async () => {
      const result = await verify(await setup(), [withRekor(p256, { signWith: testKey('ecdsa-p256') })]);
      expect(signatures(result)[0]).toMatchObject({ valid: false, failedCheck: 'TLOG_INVALID' });
    });

    it('refuses a log entry for another signature with TLOG_INVALID', async () => {
      const good = withRekor(p256);
      const other = signedLayer(p256);
      const result = await verify(await setup(), [{ ...other, annotations: { ...other.annotations, [ANNOTATION_BUNDLE]: good.annotations[ANNOTATION_BUNDLE]! } }]);
      // ECDSA signatures are randomised, so the logged signature differs from this one.
      expect(signatures(result)[0]).toMatchObject({ valid: false, failedCheck: 'TLOG_INVALID' });
    });

    it('tells an altered payload (SIGNATURE_INVALID) from another signer (WRONG_KEY) by the logged key', async () => {
      const stranger = testKey('ecdsa-p256');
      const ours = withRekor(p256);
      const theirs = withRekor(stranger);
      // Alter the payload but keep the log entry consistent with it, as an attacker holding the log could not.
      const altered = simpleSigningPayload(TEST_DIGEST, 'registry.test/other');
      const sig = Buffer.from(ours.annotations[ANNOTATION_SIGNATURE]!, 'base64');
      const bundle = ca.rekorBundleAnnotation({ payload: altered, signature: sig, verifierPem: p256.publicPem });
      const result = await verify(await setup(), [{ payload: altered, annotations: { ...ours.annotations, [ANNOTATION_BUNDLE]: bundle } }, theirs]);
      expect(signatures(result).map((s) => s.failedCheck)).toEqual(['SIGNATURE_INVALID', 'WRONG_KEY']);
    });
  });
});
