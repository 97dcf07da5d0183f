/**
 * notation-go's verifier test data (../shared/vectors/notation-go), read in place, decided as
 * notation-go's own tests decide them (verifier/timestamp_test.go TestAuthenticTimestamp and
 * the mock envelopes of internal/mock).
 */
import { describe, expect, it } from '@jest/globals';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { isAbsolute, join } from 'node:path';
import { checkAuthenticTimestamp } from '../../../../src/verifiers/notation/checks/check-authentic-timestamp.js';
import { COSE_MEDIA_TYPE, JWS_MEDIA_TYPE, parseEnvelope } from '../../../../src/verifiers/notation/envelope/parse-envelope.js';
import { parseTrustPolicy } from '../../../../src/verifiers/notation/trust-policy/parse-trust-policy.js';
import { buildTrustStores, type NotationTrustStores } from '../../../../src/verifiers/notation/trust-store/notation-trust-stores.js';
import { verifyNotationSignature, type NotationOutcome } from '../../../../src/verifiers/notation/verify-notation-signature.js';
import { createFileTrustMaterialSource } from '../../../../src/trust/create-file-trust-material-source.js';
import { VECTORS } from '../../../helpers/tools.js';

const GO = join(VECTORS, 'notation-go');
const SIG = join(GO, 'verifier/testdata/timestamp/sigEnv');
const TOKENS = join(GO, 'verifier/testdata/timestamp/countersignature');
const X509 = join(GO, 'verifier/testdata/truststore/x509');
const NOW = new Date('2026-01-01T00:00:00Z');

async function stores(map: Record<string, string>): Promise<NotationTrustStores> {
  const materials = new Map();
  for (const [key, dir] of Object.entries(map)) materials.set(key, await createFileTrustMaterialSource(isAbsolute(dir) ? dir : join(X509, dir)).load());
  return buildTrustStores(materials);
}

function policy(trustStores: string[], extra: Record<string, unknown> = {}) {
  return parseTrustPolicy({
    version: '1.0',
    trustPolicies: [{ name: 'test-timestamp', registryScopes: ['*'], signatureVerification: { level: 'strict', ...extra }, trustStores, trustedIdentities: ['*'] }],
  }, 'trustPolicy');
}

function mediaTypeOf(file: string): string {
  return readFileSync(file)[0] === 0x7b ? JWS_MEDIA_TYPE : COSE_MEDIA_TYPE;
}

async function verifyFile(file: string, trustStores: Record<string, string>, refs: string[], extra: Record<string, unknown> = {}, now = NOW): Promise<NotationOutcome> {
  const bytes = readFileSync(file);
  const mediaType = mediaTypeOf(file);
  const target = targetOf(mediaType, bytes);
  return verifyNotationSignature({
    subject: { registry: 'localhost:5000', repository: 'net-monitor', digest: target.digest, mediaType: target.mediaType, size: target.size },
    envelopeMediaType: mediaType,
    envelope: bytes,
    trustPolicy: policy(refs, extra),
    trustStores: await stores(trustStores),
    now,
  });
}

/** The envelope's own targetArtifact, so the subject matches; a placeholder when it does not parse. */
function targetOf(mediaType: string, bytes: Buffer): { digest: string; mediaType: string; size: number } {
  try {
    const env = parseEnvelope(mediaType, bytes);
    return (JSON.parse(Buffer.from(env.payload).toString('utf8')) as { targetArtifact: { digest: string; mediaType: string; size: number } }).targetArtifact;
  } catch {
    return { digest: `sha256:${'0'.repeat(64)}`, mediaType: 'application/vnd.oci.image.manifest.v1+json', size: 1 };
  }
}

const TS_STORES = { 'ca:valid-trust-store': 'ca/valid-trust-store', 'tsa:test-timestamp': 'tsa/test-timestamp' };
const TS_REFS = ['ca:valid-trust-store', 'tsa:test-timestamp'];

describe('notation-go timestamp vectors', () => {
  it.each(['jwsWithTimestamp.sig', 'coseWithTimestamp.sig'])('verifies %s with its authentic timestamp', async (f) => {
    const out = await verifyFile(join(SIG, f), TS_STORES, TS_REFS, { verifyTimestamp: 'always' });
    expect(out.code).toBeUndefined();
    expect(out.valid).toBe(true);
    expect(out.details.timestamp).toMatchObject({ tsa: expect.stringContaining('GlobalSign') });
  });

  it.each(['jwsExpiredWithTimestamp.sig', 'coseExpiredWithTimestamp.sig'])('accepts the authentic timestamp of %s: the signing certificate expired, the timestamp is within its validity', async (f) => {
    const file = join(SIG, f);
    const env = parseEnvelope(mediaTypeOf(file), readFileSync(file));
    const { finding, timestamp } = checkAuthenticTimestamp(env, policy(TS_REFS).trustPolicies[0]!, await stores(TS_STORES), NOW);
    expect(finding.ok).toBe(true);
    expect(timestamp!.genTime.toISOString()).toMatch(/^2024-06-18T07:2/);
  });

  it.each(['jwsExpiredWithTimestamp.sig', 'coseExpiredWithTimestamp.sig'])('verifies %s end to end once its (expired) signing certificate is trusted', async (f) => {
    const file = join(SIG, f);
    const env = parseEnvelope(mediaTypeOf(file), readFileSync(file));
    const dir = mkdtempSync(join(tmpdir(), 'notation-go-vectors-'));
    try {
      writeFileSync(join(dir, 'leaf.pem'), env.certificateChain[0]!.toString());
      const out = await verifyFile(file, { 'ca:leaf': dir, 'tsa:test-timestamp': join(X509, 'tsa/test-timestamp') }, ['ca:leaf', 'tsa:test-timestamp']);
      expect(out.code).toBeUndefined();
      expect(out.valid).toBe(true);
      expect(out.details.checks).toContainEqual(expect.objectContaining({ name: 'authenticTimestamp', outcome: 'pass' }));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('verifies coseWithTimestamp with verifyTimestamp afterCertExpiry', async () => {
    const out = await verifyFile(join(SIG, 'coseWithTimestamp.sig'), TS_STORES, TS_REFS, { verifyTimestamp: 'afterCertExpiry' });
    expect(out.valid).toBe(true);
  });

  it('fails EXPIRED_CERTIFICATE for coseExpiredWithTimestamp when the policy has no tsa store', async () => {
    const file = join(SIG, 'coseExpiredWithTimestamp.sig');
    const env = parseEnvelope(COSE_MEDIA_TYPE, readFileSync(file));
    const { finding } = checkAuthenticTimestamp(env, policy(['ca:valid-trust-store']).trustPolicies[0]!, await stores(TS_STORES), NOW);
    expect(finding).toMatchObject({ ok: false, code: 'EXPIRED_CERTIFICATE' });
  });

  it('fails TIMESTAMP_MISSING for withoutTimestamp when a tsa store is configured', async () => {
    const out = await verifyFile(join(SIG, 'withoutTimestamp.sig'), TS_STORES, TS_REFS);
    expect(out).toMatchObject({ valid: false, code: 'TIMESTAMP_MISSING' });
  });

  it('verifies withoutTimestamp when no tsa store is configured (chain valid now)', async () => {
    const out = await verifyFile(join(SIG, 'withoutTimestamp.sig'), TS_STORES, ['ca:valid-trust-store']);
    expect(out.valid).toBe(true);
  });

  it('fails TIMESTAMP_UNTRUSTED when the tsa store holds another root (test-mismatch)', async () => {
    const out = await verifyFile(join(SIG, 'coseWithTimestamp.sig'), { ...TS_STORES, 'tsa:test-mismatch': 'tsa/test-mismatch' }, ['ca:valid-trust-store', 'tsa:test-mismatch']);
    expect(out).toMatchObject({ valid: false, code: 'TIMESTAMP_UNTRUSTED' });
  });

  it.each([
    ['timestampBeforeNotBefore.sig', 'before'],
    ['timestampAfterNotAfter.sig', 'after'],
  ])('%s: the timestamp is %s the signing certificate validity', async (f) => {
    const file = join(SIG, f);
    const env = parseEnvelope(mediaTypeOf(file), readFileSync(file));
    const finding = checkAuthenticTimestamp(env, policy(TS_REFS).trustPolicies[0]!, await stores(TS_STORES), NOW).finding;
    expect(finding).toMatchObject({ ok: false, code: 'TIMESTAMP_OUTSIDE_VALIDITY' });
    // The whole verification stops earlier: the claimed signing time is outside the chain's validity too.
    const out = await verifyFile(file, TS_STORES, TS_REFS);
    expect(out).toMatchObject({ valid: false, code: 'INVALID_CERTIFICATE_CHAIN' });
  });

  describe('countersignature tokens swapped into withoutTimestamp.sig', () => {
    const withToken = async (token: string, signature?: string) => {
      const file = join(SIG, 'withoutTimestamp.sig');
      const env = parseEnvelope(JWS_MEDIA_TYPE, readFileSync(file));
      const swapped = { ...env, timestampToken: readFileSync(join(TOKENS, token)), ...(signature ? { signature: Buffer.from(signature) } : {}) };
      return checkAuthenticTimestamp(swapped, policy(TS_REFS).trustPolicies[0]!, await stores(TS_STORES), NOW);
    };
    it('refuses a token whose content type is not TSTInfo', async () => {
      expect((await withToken('TimeStampTokenWithInvalideContentType.p7s')).finding).toMatchObject({ ok: false, code: 'TIMESTAMP_INVALID' });
    });
    it('refuses a token whose TSTInfo does not parse', async () => {
      expect((await withToken('TimeStampTokenWithInvalidTSTInfo.p7s')).finding).toMatchObject({ ok: false, code: 'TIMESTAMP_INVALID' });
    });
    it('refuses a token over another message (mismatched imprint)', async () => {
      const { finding } = await withToken('TimeStampToken.p7s', 'mismatch');
      expect(finding).toMatchObject({ ok: false, code: 'TIMESTAMP_INVALID' });
      expect(finding.message).toContain('messageImprint');
    });
    it('refuses a token without the signing certificate', async () => {
      const { finding } = await withToken('TimeStampTokenWithoutCertificate.p7s', 'notation');
      expect(finding).toMatchObject({ ok: false, code: 'TIMESTAMP_INVALID' });
      expect(finding.message).toContain('signing certificate not found');
    });
  });
});

describe('notation-go mock envelopes', () => {
  const MOCK = join(GO, 'internal/mock/testdata');
  const stores = { 'ca:valid-trust-store': 'ca/valid-trust-store', 'signingAuthority:valid-trust-store': 'signingAuthority/valid-trust-store' };
  const refs = ['ca:valid-trust-store', 'signingAuthority:valid-trust-store'];
  it.each([
    ['ca_valid_sig_env.json', undefined],
    ['sa_valid_sig_env.json', undefined],
    ['ca_expired_sig_env.json', 'EXPIRED_SIGNATURE'],
    ['sa_expired_sig_env.json', 'EXPIRED_SIGNATURE'],
    // Their payload is not base64url: the envelope does not even parse.
    ['ca_invalid_sig_env.json', 'MALFORMED_ENVELOPE'],
    ['sa_invalid_sig_env.json', 'MALFORMED_ENVELOPE'],
    // A user-defined critical attribute ("SomeKey") only a plugin could understand.
    ['ca_plugin_sig_env.json', 'UNKNOWN_CRITICAL_HEADER'],
    ['sa_plugin_sig_env.json', 'UNKNOWN_CRITICAL_HEADER'],
    ['ca_compatible_pluginver_sig_env_1.0.0.json', 'VERIFICATION_PLUGIN_REQUIRED'],
    // Signed by a wabbit-networks.io certificate other than the one in valid-trust-store.
    ['sig_env_with_metadata.json', 'UNTRUSTED_CHAIN'],
  ])('%s → %s', async (f, code) => {
    const out = await verifyFile(join(MOCK, f), stores, refs);
    expect(out.code).toBe(code);
    expect(out.valid).toBe(code === undefined);
  });
});
