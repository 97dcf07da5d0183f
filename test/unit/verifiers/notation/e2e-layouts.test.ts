/**
 * Every OCI layout of notation's e2e suite (../shared/vectors/notation-e2e/layouts), read in
 * place, decided as its name says with the trust material and policies of notation-e2e-config.
 */
import { describe, expect, it, afterAll } from '@jest/globals';
import { X509Certificate } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { silentLogger } from '../../../../src/observability/logger.js';
import { createNotationVerifier } from '../../../../src/verifiers/notation/create-notation-verifier.js';
import type { VerifierResult } from '../../../../src/verifiers/verifier.js';
import { readOciLayout } from '../../../helpers/oci-layout.js';
import { VECTORS } from '../../../helpers/tools.js';

const LAYOUTS = join(VECTORS, 'notation-e2e/layouts');
const CONFIG = join(VECTORS, 'notation-e2e-config');
const POLICIES = join(CONFIG, 'trustpolicies');
const NOW = new Date('2026-01-01T00:00:00Z');
const tmp = mkdtempSync(join(tmpdir(), 'notation-e2e-layouts-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

async function verifyLayout(layout: string, options: { policy: string; stores: Record<string, Record<string, string[]>>; now?: Date; repository?: string }): Promise<VerifierResult[]> {
  const l = readOciLayout(join(LAYOUTS, layout));
  const image = l.tagged('v1');
  const verifier = await createNotationVerifier(
    { name: 'e2e', type: 'notation', trustStores: options.stores, trustPolicyFile: join(POLICIES, options.policy), watch: false },
    'verifiers[0]',
    { baseDir: CONFIG, logger: silentLogger() },
  );
  const subject = l.subject(image, 'localhost:5000', options.repository ?? 'e2e');
  const out = [];
  for (const r of l.referrers(image.digest)) out.push(await verifier.verify(subject, r, { signal: AbortSignal.timeout(5000), now: options.now ?? NOW, nested: [] }));
  return out;
}

/** The signer certificate of a layout's (first) signature, written to a temp file so a store can trust it. */
function signerCertFile(layout: string): string {
  const l = readOciLayout(join(LAYOUTS, layout));
  const [sig] = l.referrers(l.tagged('v1').digest);
  const env = JSON.parse(Buffer.from(sig!.blobs[0]!.bytes).toString('utf8')) as { header: { x5c: string[] } };
  const cert = new X509Certificate(Buffer.from(env.header.x5c[0]!, 'base64'));
  const file = join(tmp, `${layout}.pem`);
  writeFileSync(file, cert.toString());
  return file;
}

const e2eCa = { ca: { e2e: ['localkeys/e2e.crt'] } };

describe('notation e2e layouts', () => {
  describe('e2e-valid-signature', () => {
    it('verifies with the e2e trust store', async () => {
      const [r] = await verifyLayout('e2e-valid-signature', { policy: 'trustpolicy.json', stores: e2eCa });
      expect(r).toMatchObject({ valid: true, type: 'notation', details: { envelopeType: 'jws', signingScheme: 'notary.x509', trustPolicy: { name: 'e2e', level: 'strict' } } });
      expect(r!.message).toBe('signature by "CN=e2e,O=Notary,L=Seattle,ST=WA,C=US" is trusted by policy "e2e" (strict)');
    });
    it('verifies when the trusted identity matches', async () => {
      const [r] = await verifyLayout('e2e-valid-signature', { policy: 'valid_trusted_identity_trustpolicy.json', stores: e2eCa });
      expect(r!.valid).toBe(true);
    });
    it('fails UNTRUSTED_IDENTITY when the identity differs (C=USB)', async () => {
      const [r] = await verifyLayout('e2e-valid-signature', { policy: 'invalid_trusted_identity_trustpolicy.json', stores: e2eCa });
      expect(r).toMatchObject({ valid: false, error: { code: 'UNTRUSTED_IDENTITY' } });
    });
    it('fails NO_MATCHING_POLICY when the registry scope names another repository', async () => {
      const [r] = await verifyLayout('e2e-valid-signature', { policy: 'invalid_registry_scope_trustpolicy.json', stores: e2eCa });
      expect(r).toMatchObject({ valid: false, error: { code: 'NO_MATCHING_POLICY' } });
    });
    it('verifies through an exact registry scope', async () => {
      const [r] = await verifyLayout('e2e-valid-signature', { policy: 'registry_scope_trustpolicy.json', stores: e2eCa, repository: 'test-repo' });
      expect(r!.valid).toBe(true);
    });
    it('fails UNTRUSTED_CHAIN against another trust store', async () => {
      const [r] = await verifyLayout('e2e-valid-signature', { policy: 'trustpolicy.json', stores: { ca: { e2e: ['localkeys/new_e2e.crt'] } } });
      expect(r).toMatchObject({ valid: false, error: { code: 'UNTRUSTED_CHAIN' } });
      expect(r!.message).toBe('certificate chain does not lead to trust store ca:e2e');
    });
    it('verifies with any of several trust stores', async () => {
      const [r] = await verifyLayout('e2e-valid-signature', { policy: 'multiple_trust_store_trustpolicy.json', stores: { ca: { e2e: ['localkeys/new_e2e.crt'], 'e2e-new': ['localkeys/e2e.crt'] } } });
      expect(r!.valid).toBe(true);
    });
    it('is only logged under audit when the trust store does not match', async () => {
      const [r] = await verifyLayout('e2e-valid-signature', { policy: 'audit_trustpolicy.json', stores: { ca: { e2e: ['localkeys/new_e2e.crt'] } } });
      expect(r!.valid).toBe(true);
      expect(r!.details.checks).toContainEqual(expect.objectContaining({ name: 'authenticity', outcome: 'logged' }));
    });
    it('is skipped under level skip', async () => {
      const [r] = await verifyLayout('e2e-valid-signature', { policy: 'skip_trustpolicy.json', stores: {} });
      expect(r).toMatchObject({ valid: true, details: { trustPolicy: { level: 'skip' } } });
    });
  });

  describe('e2e-valid-multiple-signatures', () => {
    it('verifies the e2e signature and refuses the one from an untrusted certificate', async () => {
      const results = await verifyLayout('e2e-valid-multiple-signatures', { policy: 'trustpolicy.json', stores: e2eCa });
      expect(results.map((r) => r.error?.code ?? 'valid').sort()).toEqual(['UNTRUSTED_CHAIN', 'valid']);
    });
  });

  describe('e2e-expired-signature', () => {
    it('fails EXPIRED_SIGNATURE under strict', async () => {
      const [r] = await verifyLayout('e2e-expired-signature', { policy: 'trustpolicy.json', stores: e2eCa });
      expect(r).toMatchObject({ valid: false, error: { code: 'EXPIRED_SIGNATURE' } });
    });
    it('only logs the expiry under permissive', async () => {
      const [r] = await verifyLayout('e2e-expired-signature', { policy: 'permissive_trustpolicy.json', stores: e2eCa });
      expect(r!.valid).toBe(true);
      expect(r!.details.checks).toContainEqual(expect.objectContaining({ name: 'expiry', outcome: 'logged' }));
    });
    it('fails again when permissive overrides expiry to enforce', async () => {
      const [r] = await verifyLayout('e2e-expired-signature', { policy: 'override_permissive_trustpolicy.json', stores: e2eCa });
      expect(r).toMatchObject({ valid: false, error: { code: 'EXPIRED_SIGNATURE' } });
    });
    it('passes when strict overrides expiry to log', async () => {
      const [r] = await verifyLayout('e2e-expired-signature', { policy: 'override_strict_trustpolicy.json', stores: e2eCa });
      expect(r!.valid).toBe(true);
    });
  });

  describe('e2e-invalid-signature', () => {
    it('refuses a signature layer that is not an envelope', async () => {
      const [r] = await verifyLayout('e2e-invalid-signature', { policy: 'trustpolicy.json', stores: e2eCa });
      expect(r).toMatchObject({ valid: false, error: { code: 'UNSUPPORTED_ENVELOPE' } });
    });
  });

  describe('e2e-with-expired-cert', () => {
    it('fails EXPIRED_CERTIFICATE without a timestamp', async () => {
      const [r] = await verifyLayout('e2e-with-expired-cert', { policy: 'trustpolicy.json', stores: { ca: { e2e: ['localkeys/expired_e2e.crt'] } } });
      expect(r).toMatchObject({ valid: false, error: { code: 'EXPIRED_CERTIFICATE' } });
    });
    it('verifies on a day the certificate was valid', async () => {
      const [r] = await verifyLayout('e2e-with-expired-cert', { policy: 'trustpolicy.json', stores: { ca: { e2e: ['localkeys/expired_e2e.crt'] } }, now: new Date('2023-06-27T00:00:00Z') });
      expect(r!.valid).toBe(true);
    });
  });

  describe('e2e-with-timestamped-signature', () => {
    const stores = () => ({ ca: { e2e: [signerCertFile('e2e-with-timestamped-signature')] }, tsa: { e2e: ['timestamp/DigiCertTSARootSHA384.cer', 'timestamp/globalsignTSARoot.cer'] } });
    // The countersignature is by Microsoft's public TSA, whose root ("Microsoft Identity Verification
    // Root Certificate Authority 2020") is not among the vectors: everything up to the trust anchor
    // is checked (imprint, CMS signature, chain), and the missing root is named.
    it('checks the timestamp up to the TSA root, which the vectors do not include', async () => {
      const [r] = await verifyLayout('e2e-with-timestamped-signature', { policy: 'timestamp_trustpolicy.json', stores: stores() });
      expect(r).toMatchObject({ valid: false, error: { code: 'TIMESTAMP_UNTRUSTED' } });
      expect(r!.message).toContain('Microsoft Public RSA Timestamping CA 2020');
    });
    it('verifies with verifyTimestamp afterCertExpiry while the certificate was still valid', async () => {
      const [r] = await verifyLayout('e2e-with-timestamped-signature', { policy: 'timestamp_after_cert_expiry_trustpolicy.json', stores: stores(), now: new Date('2025-01-21T10:00:00Z') });
      expect(r!.valid).toBe(true);
      expect(r!.details.timestamp).toBeNull();
    });
    it('fails EXPIRED_CERTIFICATE when no tsa store is configured', async () => {
      const [r] = await verifyLayout('e2e-with-timestamped-signature', { policy: 'trustpolicy.json', stores: { ca: stores().ca } });
      expect(r).toMatchObject({ valid: false, error: { code: 'EXPIRED_CERTIFICATE' } });
    });
    it('fails TIMESTAMP_UNTRUSTED when the tsa store holds another root', async () => {
      const [r] = await verifyLayout('e2e-with-timestamped-signature', { policy: 'timestamp_trustpolicy.json', stores: { ca: stores().ca, tsa: { e2e: [join(VECTORS, 'notation-go/verifier/testdata/truststore/x509/tsa/test-mismatch')] } } });
      expect(r).toMatchObject({ valid: false, error: { code: 'TIMESTAMP_UNTRUSTED' } });
    });
  });

  describe('e2e-with-invalid-timestamped-signature', () => {
    it('fails TIMESTAMP_INVALID: the token is truncated', async () => {
      const stores = { ca: { e2e: [signerCertFile('e2e-with-invalid-timestamped-signature')] }, tsa: { e2e: ['timestamp/DigiCertTSARootSHA384.cer', 'timestamp/globalsignTSARoot.cer'] } };
      const [r] = await verifyLayout('e2e-with-invalid-timestamped-signature', { policy: 'timestamp_trustpolicy.json', stores });
      expect(r).toMatchObject({ valid: false, error: { code: 'TIMESTAMP_INVALID' } });
    });
  });

  describe('e2e (unsigned)', () => {
    it('has no signatures to verify', () => {
      const l = readOciLayout(join(LAYOUTS, 'e2e'));
      expect(l.referrers(l.tagged('v1').digest)).toEqual([]);
    });
  });
});
