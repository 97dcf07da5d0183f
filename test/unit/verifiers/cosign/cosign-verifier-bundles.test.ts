import { describe, expect, it } from '@jest/globals';
import { bundleToJSON, toDSSEBundle, toMessageSignatureBundle } from '@sigstore/bundle';
import { dsse } from '@sigstore/core';
import { createHash } from 'node:crypto';
import type { Verifier } from '../../../../src/verifiers/verifier.js';
import { bundleReferrerArtifact } from '../../../helpers/bundle-referrer-artifact.js';
import { OTHER_DIGEST, TEST_DIGEST, buildCosignVerifier, cosignSign, tempDirWith, testKey, testSubject, verifyContext, type TestKey } from '../../../helpers/cosign-test-fixtures.js';

const COSIGN_SIGN_PREDICATE = 'https://sigstore.dev/cosign/sign/v1';
const key = testKey('ecdsa-p256');
const dir = tempDirWith({ 'cosign.pub': key.publicPem });

/** A DSSE bundle over an in-toto statement, as `cosign sign --new-bundle-format --key` makes it. */
function dsseBundle(subjectDigest: string, signer: TestKey = key, predicateType = COSIGN_SIGN_PREDICATE): Buffer {
  const statement = Buffer.from(JSON.stringify({ _type: 'https://in-toto.io/Statement/v1', subject: [{ digest: { sha256: subjectDigest.slice(7) } }], predicateType }));
  const signature = cosignSign(dsse.preAuthEncoding('application/vnd.in-toto+json', statement), signer.privateKey);
  return Buffer.from(JSON.stringify(bundleToJSON(toDSSEBundle({ artifact: statement, artifactType: 'application/vnd.in-toto+json', signature, keyHint: 'hint' }))));
}

async function verifyBundleBytes(verifier: Verifier, bundle: Buffer, artifactType?: string) {
  const result = await verifier.verify(testSubject(), bundleReferrerArtifact(bundle, TEST_DIGEST, artifactType), verifyContext());
  return { result, signature: (result.details.signatures as Array<Record<string, unknown>>)[0] };
}

describe('CosignVerifier on Sigstore bundle referrers', () => {
  let verifier: Verifier;
  const setup = async () => (verifier ??= await buildCosignVerifier({ key: 'cosign.pub', tlog: { required: false } }, dir));

  it('accepts a DSSE statement about this image signed by the key', async () => {
    const { result, signature } = await verifyBundleBytes(await setup(), dsseBundle(TEST_DIGEST));
    expect(result).toMatchObject({ valid: true, message: 'signed by key cosign.pub', artifactType: 'application/vnd.dev.sigstore.bundle.v0.3+json' });
    expect(signature).toEqual({ format: 'bundle', key: 'cosign.pub', keyFingerprint: expect.any(String), predicateType: COSIGN_SIGN_PREDICATE, tlog: null, valid: true, message: 'signed by key cosign.pub' });
  });

  it('recognises a bundle referrer listed without an artifact type by its layer', async () => {
    const { result } = await verifyBundleBytes(await setup(), dsseBundle(TEST_DIGEST), undefined);
    expect(result.valid).toBe(true);
  });

  it('refuses a statement about another image with PAYLOAD_DIGEST_MISMATCH', async () => {
    const { signature } = await verifyBundleBytes(await setup(), dsseBundle(OTHER_DIGEST));
    expect(signature).toMatchObject({ valid: false, failedCheck: 'PAYLOAD_DIGEST_MISMATCH' });
  });

  it('refuses a statement signed by another key with WRONG_KEY', async () => {
    const { signature } = await verifyBundleBytes(await setup(), dsseBundle(TEST_DIGEST, testKey('ecdsa-p256')));
    expect(signature).toMatchObject({ valid: false, failedCheck: 'WRONG_KEY' });
  });

  it('refuses a bundle without a log entry with TLOG_MISSING when tlog is required', async () => {
    const { createTestSigstoreCa } = await import('../../../helpers/test-sigstore-ca.js');
    const withRoot = tempDirWith({ 'trusted_root.json': createTestSigstoreCa().trustedRootJson });
    const v = await buildCosignVerifier({ key: key.publicPem, trustedRoot: 'trusted_root.json' }, withRoot);
    const { signature } = await verifyBundleBytes(v, dsseBundle(TEST_DIGEST));
    expect(signature).toMatchObject({ valid: false, failedCheck: 'TLOG_MISSING' });
  });

  it('refuses a predicate type outside predicateTypes with PREDICATE_TYPE_MISMATCH', async () => {
    const v = await buildCosignVerifier({ key: 'cosign.pub', tlog: { required: false }, predicateTypes: [COSIGN_SIGN_PREDICATE] }, dir);
    const { signature } = await verifyBundleBytes(v, dsseBundle(TEST_DIGEST, key, 'https://slsa.dev/provenance/v1'));
    expect(signature).toMatchObject({ valid: false, failedCheck: 'PREDICATE_TYPE_MISMATCH', predicateType: 'https://slsa.dev/provenance/v1' });
  });

  it('says a message-signature bundle over an image cannot be checked without the manifest bytes (UNSUPPORTED)', async () => {
    const digest = Buffer.from(TEST_DIGEST.slice(7), 'hex');
    const bundle = toMessageSignatureBundle({ digest, signature: cosignSign(digest, key.privateKey), keyHint: 'hint' });
    const { signature } = await verifyBundleBytes(await setup(), Buffer.from(JSON.stringify(bundleToJSON(bundle))));
    expect(signature).toMatchObject({ valid: false, failedCheck: 'UNSUPPORTED' });
  });

  it('refuses a bundle that is not valid JSON as MALFORMED', async () => {
    const { signature } = await verifyBundleBytes(await setup(), Buffer.from('{"mediaType":'));
    expect(signature).toMatchObject({ valid: false, failedCheck: 'MALFORMED' });
  });

  it('refuses a bundle of an unknown version as MALFORMED', async () => {
    const json = JSON.parse(dsseBundle(TEST_DIGEST).toString()) as Record<string, unknown>;
    json.mediaType = 'application/vnd.dev.sigstore.bundle.v9.9+json';
    const { signature } = await verifyBundleBytes(await setup(), Buffer.from(JSON.stringify(json)));
    expect(signature).toMatchObject({ valid: false, failedCheck: 'MALFORMED' });
  });

  it('uses the bundle layer named in the manifest, not a blob out of step with it', async () => {
    const artifact = bundleReferrerArtifact(dsseBundle(TEST_DIGEST), TEST_DIGEST);
    const other = dsseBundle(TEST_DIGEST);
    const swapped = { ...artifact, blobs: [{ descriptor: { ...artifact.blobs[0]!.descriptor, digest: `sha256:${createHash('sha256').update(other).digest('hex')}` }, bytes: other }] };
    const result = await (await setup()).verify(testSubject(), swapped, verifyContext());
    expect(result).toMatchObject({ valid: false, error: { code: 'MALFORMED' } });
  });
});
