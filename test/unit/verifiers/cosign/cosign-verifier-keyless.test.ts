/**
 * Keyless legacy `.sig` signatures, built here with a test Fulcio-like CA and a test Rekor key
 * placed in a custom trusted_root.json (test/helpers/test-sigstore-ca.ts).
 */
import { describe, expect, it } from '@jest/globals';
import { ANNOTATION_BUNDLE, ANNOTATION_CERTIFICATE, ANNOTATION_RFC3161, ANNOTATION_SIGNATURE } from '../../../../src/verifiers/cosign/legacy/read-legacy-signatures.js';
import type { Verifier } from '../../../../src/verifiers/verifier.js';
import { TEST_DIGEST, buildCosignVerifier, cosignSign, tempDirWith, testKey, testSubject, verifyContext } from '../../../helpers/cosign-test-fixtures.js';
import { legacySigArtifact, simpleSigningPayload, type LegacyLayerInput } from '../../../helpers/legacy-sig-artifact.js';
import { createTestSigstoreCa, type TestSigstoreCa } from '../../../helpers/test-sigstore-ca.js';

const ISSUER = 'https://token.actions.githubusercontent.com';
const WORKFLOW = 'https://github.com/org/repo/.github/workflows/release.yml@refs/heads/main';
const ca = createTestSigstoreCa();
const dir = tempDirWith({ 'trusted_root.json': ca.trustedRootJson });

interface SignOptions {
  readonly san?: string;
  readonly issuer?: string;
  readonly by?: TestSigstoreCa;
  readonly rekor?: 'valid' | 'forged' | 'none';
  readonly integratedTime?: number;
  /** Add an RFC 3161 timestamp over the signature (or over these bytes). */
  readonly timestamp?: 'signature' | Buffer;
}

function keylessLayer({ san = WORKFLOW, issuer = ISSUER, by = ca, rekor = 'valid', integratedTime, timestamp }: SignOptions = {}): LegacyLayerInput {
  const leaf = by.issueLeaf({ san, issuer });
  const payload = simpleSigningPayload(TEST_DIGEST);
  const signature = cosignSign(payload, leaf.privateKey);
  const annotations: Record<string, string> = { [ANNOTATION_SIGNATURE]: signature.toString('base64'), [ANNOTATION_CERTIFICATE]: leaf.certPem };
  if (timestamp) {
    const token = ca.timestamp(timestamp === 'signature' ? signature : timestamp);
    annotations[ANNOTATION_RFC3161] = JSON.stringify({ SignedRFC3161Timestamp: token.toString('base64') });
  }
  if (rekor !== 'none') {
    annotations[ANNOTATION_BUNDLE] = ca.rekorBundleAnnotation({
      payload,
      signature,
      verifierPem: leaf.certPem,
      logIndex: 99,
      ...(integratedTime !== undefined ? { integratedTime } : {}),
      ...(rekor === 'forged' ? { signWith: testKey('ecdsa-p256').privateKey } : {}),
    });
  }
  return { payload, annotations };
}

async function keyless(identities: Record<string, string>[], extra: Record<string, unknown> = {}): Promise<Verifier> {
  // The test CA issues no SCTs: SCT checking is exercised by the conformance cases instead.
  return buildCosignVerifier({ trustedRoot: 'trusted_root.json', keyless: { identities }, sct: { required: false }, ...extra }, dir);
}

async function verdict(verifier: Verifier, layer: LegacyLayerInput) {
  const result = await verifier.verify(testSubject(), legacySigArtifact([layer]), verifyContext());
  return { result, signature: (result.details.signatures as Array<Record<string, unknown>>)[0] };
}

describe('CosignVerifier with keyless identities, on legacy .sig signatures', () => {
  it('accepts a certificate whose identity and issuer match exactly, with both in the details', async () => {
    const { result, signature } = await verdict(await keyless([{ subject: WORKFLOW, issuer: ISSUER }]), keylessLayer());
    expect(result.valid).toBe(true);
    expect(signature).toMatchObject({ format: 'legacy', identity: WORKFLOW, issuer: ISSUER, tlog: { logIndex: 99 }, valid: true });
    expect(result.message).toMatch(new RegExp(`^signed by ${WORKFLOW.replace(/[.?]/g, '\\$&')} \\(issuer ${ISSUER.replace(/[.]/g, '\\.')}\\), logged at index 99`));
  });

  it('accepts an e-mail identity', async () => {
    const { result } = await verdict(await keyless([{ subject: 'dev@example.com', issuer: 'https://accounts.google.com' }]), keylessLayer({ san: 'dev@example.com', issuer: 'https://accounts.google.com' }));
    expect(result.valid).toBe(true);
  });

  it('refuses another identity with IDENTITY_MISMATCH', async () => {
    const { result, signature } = await verdict(await keyless([{ subject: WORKFLOW, issuer: ISSUER }]), keylessLayer({ san: 'https://github.com/org/other/.github/workflows/release.yml@refs/heads/main' }));
    expect(result.valid).toBe(false);
    expect(signature).toMatchObject({ failedCheck: 'IDENTITY_MISMATCH' });
  });

  it('refuses the right identity from another issuer with ISSUER_MISMATCH', async () => {
    const { signature } = await verdict(await keyless([{ subject: WORKFLOW, issuer: ISSUER }]), keylessLayer({ issuer: 'https://gitlab.com' }));
    expect(signature).toMatchObject({ valid: false, failedCheck: 'ISSUER_MISMATCH', identity: WORKFLOW, issuer: 'https://gitlab.com' });
  });

  describe('with regular expressions', () => {
    it('accepts an identity the whole pattern matches', async () => {
      const v = await keyless([{ subjectRegExp: 'https://github\\.com/org/repo/\\.github/workflows/.*@refs/heads/main', issuerRegExp: 'https://token\\.actions\\.githubusercontent\\.com' }]);
      expect((await verdict(v, keylessLayer())).result.valid).toBe(true);
    });

    it('anchors the pattern: a match on a prefix of the identity is not enough', async () => {
      const v = await keyless([{ subjectRegExp: 'https://github\\.com/org/repo', issuer: ISSUER }]);
      expect((await verdict(v, keylessLayer())).signature).toMatchObject({ valid: false, failedCheck: 'IDENTITY_MISMATCH' });
    });

    it('anchors the pattern: an identity with a longer host does not match', async () => {
      const v = await keyless([{ subjectRegExp: '.*@example\\.com', issuer: ISSUER }]);
      const { signature } = await verdict(v, keylessLayer({ san: 'dev@example.com.attacker.test' }));
      expect(signature).toMatchObject({ valid: false, failedCheck: 'IDENTITY_MISMATCH' });
    });

    it('matches a pathological pattern against a long identity in linear time (RE2)', async () => {
      // `(a+)+@example\.com` against 30 000 `a` and a wrong domain: a backtracking engine would
      // try 2^30000 splits and never return; RE2 answers at once. The result is asserted.
      const v = await keyless([{ subjectRegExp: '(a+)+@example\\.com', issuer: ISSUER }]);
      const { signature } = await verdict(v, keylessLayer({ san: `${'a'.repeat(30_000)}@example.org` }));
      expect(signature).toMatchObject({ valid: false, failedCheck: 'IDENTITY_MISMATCH' });
    });

    it('anchors issuer patterns too', async () => {
      const v = await keyless([{ subject: WORKFLOW, issuerRegExp: 'https://token\\.actions\\.githubusercontent\\.com' }]);
      const { signature } = await verdict(v, keylessLayer({ issuer: 'https://token.actions.githubusercontent.com.evil.test' }));
      expect(signature).toMatchObject({ valid: false, failedCheck: 'ISSUER_MISMATCH' });
    });
  });

  it('refuses a SignedEntryTimestamp not signed by the trusted Rekor key with TLOG_INVALID', async () => {
    const { signature } = await verdict(await keyless([{ subject: WORKFLOW, issuer: ISSUER }]), keylessLayer({ rekor: 'forged' }));
    expect(signature).toMatchObject({ valid: false, failedCheck: 'TLOG_INVALID' });
  });

  it('refuses a signature with no log entry with TLOG_MISSING', async () => {
    const { signature } = await verdict(await keyless([{ subject: WORKFLOW, issuer: ISSUER }]), keylessLayer({ rekor: 'none' }));
    expect(signature).toMatchObject({ valid: false, failedCheck: 'TLOG_MISSING' });
  });

  it('still needs a log entry (or a timestamp) with tlog not required, to date the certificate', async () => {
    const v = await keyless([{ subject: WORKFLOW, issuer: ISSUER }], { tlog: { required: false } });
    expect((await verdict(v, keylessLayer({ rekor: 'none' }))).signature).toMatchObject({ valid: false, failedCheck: 'TLOG_MISSING' });
  });

  describe('with an RFC 3161 timestamp instead of a log entry (tlog not required)', () => {
    it('accepts the certificate at the time the timestamp authority vouches for', async () => {
      const v = await keyless([{ subject: WORKFLOW, issuer: ISSUER }], { tlog: { required: false } });
      const { result, signature } = await verdict(v, keylessLayer({ rekor: 'none', timestamp: 'signature' }));
      expect(result.valid).toBe(true);
      expect(signature).toMatchObject({ valid: true, tlog: null, identity: WORKFLOW });
    });

    it('refuses a timestamp over other bytes with TIMESTAMP_INVALID', async () => {
      const v = await keyless([{ subject: WORKFLOW, issuer: ISSUER }], { tlog: { required: false } });
      const { signature } = await verdict(v, keylessLayer({ rekor: 'none', timestamp: Buffer.from('something else') }));
      expect(signature).toMatchObject({ valid: false, failedCheck: 'TIMESTAMP_INVALID' });
    });
  });

  it('refuses a certificate from a CA the trusted root does not hold with CERT_UNTRUSTED', async () => {
    const { signature } = await verdict(await keyless([{ subject: WORKFLOW, issuer: ISSUER }]), keylessLayer({ by: createTestSigstoreCa() }));
    expect(signature).toMatchObject({ valid: false, failedCheck: 'CERT_UNTRUSTED' });
  });

  it('refuses a certificate that was not valid when the entry was logged with CERT_UNTRUSTED', async () => {
    const twoDaysLater = Math.floor(Date.now() / 1000) + 2 * 86_400;
    const { signature } = await verdict(await keyless([{ subject: WORKFLOW, issuer: ISSUER }]), keylessLayer({ integratedTime: twoDaysLater }));
    expect(signature).toMatchObject({ valid: false, failedCheck: 'CERT_UNTRUSTED' });
  });

  it('requires an SCT by default, and the test CA issues none: CERT_UNTRUSTED', async () => {
    const v = await buildCosignVerifier({ trustedRoot: 'trusted_root.json', keyless: { identities: [{ subject: WORKFLOW, issuer: ISSUER }] } }, dir);
    expect((await verdict(v, keylessLayer())).signature).toMatchObject({ valid: false, failedCheck: 'CERT_UNTRUSTED' });
  });

  it('refuses a bare-key signature when only identities are trusted with CERT_MISSING', async () => {
    const key = testKey('ecdsa-p256');
    const payload = simpleSigningPayload(TEST_DIGEST);
    const signature = cosignSign(payload, key.privateKey);
    const layer = { payload, annotations: { [ANNOTATION_SIGNATURE]: signature.toString('base64'), [ANNOTATION_BUNDLE]: ca.rekorBundleAnnotation({ payload, signature, verifierPem: key.publicPem }) } };
    expect((await verdict(await keyless([{ subject: WORKFLOW, issuer: ISSUER }]), layer)).signature).toMatchObject({ valid: false, failedCheck: 'CERT_MISSING' });
  });

  it('accepts either a key or an identity when both are configured', async () => {
    const key = testKey('ecdsa-p256');
    const v = await keyless([{ subject: WORKFLOW, issuer: ISSUER }], { key: key.publicPem });
    expect((await verdict(v, keylessLayer())).result.valid).toBe(true);
  });
});
