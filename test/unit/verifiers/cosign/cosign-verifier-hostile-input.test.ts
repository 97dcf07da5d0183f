import { describe, expect, it } from '@jest/globals';
import { ANNOTATION_BUNDLE, ANNOTATION_CERTIFICATE, ANNOTATION_RFC3161, ANNOTATION_SIGNATURE } from '../../../../src/verifiers/cosign/legacy/read-legacy-signatures.js';
import type { Verifier } from '../../../../src/verifiers/verifier.js';
import { TEST_DIGEST, buildCosignVerifier, cosignSign, tempDirWith, testKey, testSubject, verifyContext } from '../../../helpers/cosign-test-fixtures.js';
import { legacySigArtifact, simpleSigningPayload, type LegacyLayerInput } from '../../../helpers/legacy-sig-artifact.js';

const key = testKey('ecdsa-p256');
const dir = tempDirWith({ 'cosign.pub': key.publicPem });
let verifier: Verifier;
const setup = async () => (verifier ??= await buildCosignVerifier({ key: 'cosign.pub', tlog: { required: false } }, dir));

function layer(overrides: Record<string, string> = {}, payload = simpleSigningPayload(TEST_DIGEST)): LegacyLayerInput {
  return { payload, annotations: { [ANNOTATION_SIGNATURE]: cosignSign(payload, key.privateKey).toString('base64'), ...overrides } };
}

async function firstFailure(layers: LegacyLayerInput[]) {
  const result = await (await setup()).verify(testSubject(), legacySigArtifact(layers), verifyContext());
  return { result, signature: (result.details.signatures as Array<Record<string, unknown>>)[0] };
}

describe('CosignVerifier on hostile .sig content', () => {
  it.each([
    ['a signature that is not base64', { [ANNOTATION_SIGNATURE]: 'not*base64!' }],
    ['an empty signature', { [ANNOTATION_SIGNATURE]: '' }],
    ['a Rekor bundle that is not JSON', { [ANNOTATION_BUNDLE]: '{"SignedEntryTimestamp":' }],
    ['a Rekor bundle with a negative log index', { [ANNOTATION_BUNDLE]: JSON.stringify({ SignedEntryTimestamp: 'AAAA', Payload: { body: 'e30=', integratedTime: 1, logIndex: -1, logID: 'ab'.repeat(32) } }) }],
    ['a certificate annotation that is not a certificate', { [ANNOTATION_CERTIFICATE]: '-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n' }],
    ['an RFC 3161 annotation that is not a timestamp', { [ANNOTATION_RFC3161]: JSON.stringify({ SignedRFC3161Timestamp: 'AAAA' }) }],
  ])('refuses %s as MALFORMED', async (_what, overrides) => {
    const { result, signature } = await firstFailure([layer(overrides)]);
    expect(result.valid).toBe(false);
    expect(signature).toMatchObject({ valid: false, failedCheck: 'MALFORMED' });
  });

  it.each([
    ['not JSON', Buffer.from('\u0000\u0001')],
    ['JSON but not an object', Buffer.from('[1,2,3]')],
    ['another simple-signing type', Buffer.from(JSON.stringify({ critical: { type: 'atomic container signature', image: { 'docker-manifest-digest': TEST_DIGEST } } }))],
    ['without a manifest digest', Buffer.from(JSON.stringify({ critical: { type: 'cosign container image signature', image: {} } }))],
  ])('refuses a payload that is %s as MALFORMED', async (_what, payload) => {
    const { signature } = await firstFailure([layer({}, payload)]);
    expect(signature).toMatchObject({ valid: false, failedCheck: 'MALFORMED' });
  });

  it('refuses a .sig manifest with more layers than it will read, without verifying any', async () => {
    const many = Array.from({ length: 65 }, () => layer());
    const { result } = await firstFailure(many);
    expect(result).toMatchObject({ valid: false, error: { code: 'MALFORMED' }, details: { signatures: [] } });
  });

  it('refuses a .sig manifest without layers', async () => {
    const { result } = await firstFailure([]);
    expect(result).toMatchObject({ valid: false, error: { code: 'MALFORMED' } });
  });

  it('refuses a layer whose blob was not fetched', async () => {
    const artifact = legacySigArtifact([layer()]);
    const result = await (await setup()).verify(testSubject(), { ...artifact, blobs: [] }, verifyContext());
    expect((result.details.signatures as Array<Record<string, unknown>>)[0]).toMatchObject({ failedCheck: 'MALFORMED' });
  });

  it('does not start once the deadline has passed', async () => {
    const controller = new AbortController();
    controller.abort(new Error('deadline'));
    await expect((await setup()).verify(testSubject(), legacySigArtifact([layer()]), { ...verifyContext(), signal: controller.signal })).rejects.toThrow('deadline');
  });
});
