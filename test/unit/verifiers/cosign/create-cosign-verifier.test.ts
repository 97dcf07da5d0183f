import { describe, expect, it } from '@jest/globals';
import { generateKeyPairSync } from 'node:crypto';
import { buildCosignVerifier, tempDirWith, testKey, testSubject } from '../../../helpers/cosign-test-fixtures.js';
import { createTestSigstoreCa } from '../../../helpers/test-sigstore-ca.js';

const key = testKey('ecdsa-p256');
const otherKey = testKey('ecdsa-p256');
const ca = createTestSigstoreCa();
const dir = tempDirWith({ 'cosign.pub': key.publicPem, 'other.pub': otherKey.publicPem, 'trusted_root.json': ca.trustedRootJson });
const noTlog = { tlog: { required: false } };

describe('createCosignVerifier', () => {
  describe('when the options are invalid', () => {
    it.each([
      ['no key and no keyless identity', { ...noTlog }, 'verifiers[0]'],
      ['an unknown option', { key: 'cosign.pub', ...noTlog, keyz: [] }, 'verifiers[0]'],
      ['an identity without issuer', { trustedRoot: 'trusted_root.json', keyless: { identities: [{ subject: 'a@b.c' }] } }, 'verifiers[0].keyless.identities[0]'],
      ['an invalid regular expression', { trustedRoot: 'trusted_root.json', keyless: { identities: [{ subjectRegExp: '(', issuer: 'x' }] } }, 'verifiers[0].keyless.identities[0].subjectRegExp'],
      // Valid JavaScript, not RE2: a backreference and a lookahead are refused, not half-supported.
      ['a backreference (not RE2)', { trustedRoot: 'trusted_root.json', keyless: { identities: [{ subjectRegExp: '(a)\\1', issuer: 'x' }] } }, 'verifiers[0].keyless.identities[0].subjectRegExp'],
      ['a lookahead in the issuer (not RE2)', { trustedRoot: 'trusted_root.json', keyless: { identities: [{ subject: 'a@b.c', issuerRegExp: 'https://(?!evil).*' }] } }, 'verifiers[0].keyless.identities[0].issuerRegExp'],
      ['keyless without trustedRoot', { keyless: { identities: [{ subject: 'a@b.c', issuer: 'x' }] } }, 'verifiers[0].trustedRoot'],
      ['a required tlog without trustedRoot', { key: 'cosign.pub' }, 'verifiers[0].trustedRoot'],
      ['a tlog.required that is not a boolean', { key: 'cosign.pub', tlog: { required: 'no' } }, 'verifiers[0].tlog.required'],
    ])('names the field for %s', async (_what, options, path) => {
      await expect(buildCosignVerifier(options, dir)).rejects.toMatchObject({ code: 'INVALID_CONFIG', path });
    });

    it('reports a missing key file as FILE_NOT_FOUND on that field', async () => {
      await expect(buildCosignVerifier({ keys: ['cosign.pub', 'missing.pub'], ...noTlog }, dir, 3)).rejects.toMatchObject({ code: 'FILE_NOT_FOUND', path: 'verifiers[3].keys[1]' });
    });

    it('refuses a private key in place of a public key', async () => {
      const pem = key.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
      await expect(buildCosignVerifier({ key: pem, ...noTlog }, dir)).rejects.toMatchObject({ code: 'INVALID_CONFIG', path: 'verifiers[0].key' });
    });

    it('refuses an RSA key shorter than 2048 bits', async () => {
      const weak = generateKeyPairSync('rsa', { modulusLength: 1024 }).publicKey.export({ type: 'spki', format: 'pem' }).toString();
      await expect(buildCosignVerifier({ key: weak, ...noTlog }, dir)).rejects.toMatchObject({ code: 'INVALID_CONFIG', path: 'verifiers[0].key' });
    });

    it('refuses a trusted root that is not one', async () => {
      const bad = tempDirWith({ 'trusted_root.json': '{"mediaType":"something/else"}' });
      await expect(buildCosignVerifier({ key: key.publicPem, trustedRoot: 'trusted_root.json' }, bad)).rejects.toMatchObject({ code: 'INVALID_CONFIG', path: 'verifiers[0].trustedRoot' });
    });
  });

  describe('configHash', () => {
    it('is stable for the same configuration and trust material', async () => {
      const a = await buildCosignVerifier({ key: 'cosign.pub', ...noTlog }, dir);
      const b = await buildCosignVerifier({ key: key.publicPem, ...noTlog }, dir);
      expect(a.configHash()).toBe(b.configHash());
    });

    it('changes with the key, the tlog requirement and the trusted root', async () => {
      const base = await buildCosignVerifier({ key: 'cosign.pub', ...noTlog }, dir);
      const otherKeyV = await buildCosignVerifier({ key: 'other.pub', ...noTlog }, dir);
      const tlog = await buildCosignVerifier({ key: 'cosign.pub', trustedRoot: 'trusted_root.json' }, dir);
      const otherRoot = tempDirWith({ 'trusted_root.json': createTestSigstoreCa().trustedRootJson });
      const tlog2 = await buildCosignVerifier({ key: key.publicPem, trustedRoot: 'trusted_root.json' }, otherRoot);
      const hashes = new Set([base, otherKeyV, tlog, tlog2].map((v) => v.configHash()));
      expect(hashes.size).toBe(4);
    });
  });

  describe('appliesTo', () => {
    it('applies to every image by default', async () => {
      const v = await buildCosignVerifier({ key: 'cosign.pub', ...noTlog }, dir);
      expect(v.appliesTo?.(testSubject(undefined, 'docker.io', 'library/nginx'))).toBe(true);
    });

    it('matches scopes against registry/repository of the pinned reference', async () => {
      const v = await buildCosignVerifier({ key: 'cosign.pub', ...noTlog, scopes: ['ghcr.io/org/**', '127.0.0.1:*/demo/*'] }, dir);
      expect(v.appliesTo?.(testSubject(undefined, 'ghcr.io', 'org/team/app'))).toBe(true);
      expect(v.appliesTo?.(testSubject(undefined, '127.0.0.1:5000', 'demo/app'))).toBe(true);
      expect(v.appliesTo?.(testSubject(undefined, 'ghcr.io', 'other/app'))).toBe(false);
      expect(v.appliesTo?.(testSubject(undefined, 'ghcr.io.evil.com', 'org/app'))).toBe(false);
    });
  });

  it('looks at legacy .sig signatures and every Sigstore bundle version by default', async () => {
    const v = await buildCosignVerifier({ key: 'cosign.pub', ...noTlog }, dir);
    expect(v.artifactTypes).toEqual([
      'application/vnd.dev.cosign.artifact.sig.v1+json',
      'application/vnd.dev.sigstore.bundle.v0.3+json',
      'application/vnd.dev.sigstore.bundle+json;version=0.3',
      'application/vnd.dev.sigstore.bundle+json;version=0.2',
      'application/vnd.dev.sigstore.bundle+json;version=0.1',
    ]);
    expect(v.type).toBe('cosign');
  });
});
