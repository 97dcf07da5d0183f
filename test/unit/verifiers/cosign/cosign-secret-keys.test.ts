/**
 * Cosign keys and trusted roots given as `secret:` references, served by a fake
 * TrustMaterialSource standing in for a watched Kubernetes Secret.
 */
import { describe, expect, it } from '@jest/globals';
import { silentLogger } from '../../../../src/observability/logger.js';
import { createCosignVerifier, type ReloadingCosignVerifier } from '../../../../src/verifiers/cosign/create-cosign-verifier.js';
import { ANNOTATION_SIGNATURE } from '../../../../src/verifiers/cosign/legacy/read-legacy-signatures.js';
import type { Verifier, VerifierDeps } from '../../../../src/verifiers/verifier.js';
import { TEST_DIGEST, cosignSign, tempDirWith, testKey, testSubject, verifyContext, type TestKey } from '../../../helpers/cosign-test-fixtures.js';
import { createFakeTrustMaterialSource, type FakeTrustMaterialSource } from '../../../helpers/fake-trust-material-source.js';
import { legacySigArtifact, simpleSigningPayload } from '../../../helpers/legacy-sig-artifact.js';
import { createTestSigstoreCa } from '../../../helpers/test-sigstore-ca.js';
import { waitFor } from '../../../helpers/wait-for.js';

const alice = testKey('ecdsa-p256');
const bob = testKey('ecdsa-p256');
const KEY_REF = 'secret:portcullis-system/cosign-keys/cosign.pub';
const ROOT_REF = 'secret:portcullis-system/sigstore/trusted_root.json';
const dir = tempDirWith({ 'alice.pub': alice.publicPem });
const noTlog = { tlog: { required: false } };

function signedBy(key: TestKey) {
  const payload = simpleSigningPayload(TEST_DIGEST);
  return legacySigArtifact([{ payload, annotations: { [ANNOTATION_SIGNATURE]: cosignSign(payload, key.privateKey).toString('base64') } }]);
}

async function isValid(v: Verifier, key: TestKey): Promise<boolean> {
  return (await v.verify(testSubject(), signedBy(key), verifyContext())).valid;
}

function depsWith(sources: Record<string, FakeTrustMaterialSource>): VerifierDeps {
  return { baseDir: dir, logger: silentLogger(), trustSource: (spec) => sources[spec] };
}

async function build(options: Record<string, unknown>, sources: Record<string, FakeTrustMaterialSource>, index = 0) {
  return (await createCosignVerifier({ name: 'release', type: 'cosign', ...options }, `verifiers[${index}]`, depsWith(sources))) as ReloadingCosignVerifier;
}

/** Updates the Secret; its watcher alone (no reload() call) must bring the new keys in. */
async function change(v: Verifier, source: FakeTrustMaterialSource, entries: Record<string, string | Uint8Array>): Promise<void> {
  const before = v.configHash();
  source.set(entries);
  await waitFor('the verifier to reload', () => (v.configHash() !== before ? true : undefined), 5_000, 10);
}

describe('createCosignVerifier with keys from Secrets', () => {
  it('accepts signatures by the key held in the Secret, and names it by its origin', async () => {
    const secret = createFakeTrustMaterialSource('secret:portcullis-system/cosign-keys', { 'cosign.pub': alice.publicPem });
    const v = await build({ key: KEY_REF, ...noTlog }, { [KEY_REF]: secret });
    try {
      const r = await v.verify(testSubject(), signedBy(alice), verifyContext());
      expect(r).toMatchObject({ valid: true, message: 'signed by key secret:portcullis-system/cosign-keys/cosign.pub' });
      expect(await isValid(v, bob)).toBe(false);
    } finally { await v.close(); }
  });

  it('picks up a changed key without being rebuilt, and changes its configHash', async () => {
    const secret = createFakeTrustMaterialSource('secret:portcullis-system/cosign-keys', { 'cosign.pub': alice.publicPem });
    const v = await build({ key: KEY_REF, ...noTlog }, { [KEY_REF]: secret });
    try {
      const aliceHash = v.configHash();
      await change(v, secret, { 'cosign.pub': bob.publicPem });
      expect(await isValid(v, bob)).toBe(true);
      expect(await isValid(v, alice)).toBe(false);
      await change(v, secret, { 'cosign.pub': alice.publicPem });
      expect(await isValid(v, alice)).toBe(true);
      expect(v.configHash()).toBe(aliceHash);
    } finally { await v.close(); }
  });

  it('keeps the previous keys when the new material is invalid or the Secret is gone', async () => {
    const secret = createFakeTrustMaterialSource('secret:portcullis-system/cosign-keys', { 'cosign.pub': alice.publicPem });
    const v = await build({ key: KEY_REF, ...noTlog }, { [KEY_REF]: secret });
    try {
      const before = v.configHash();
      for (const bad of ['not a key', bob.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString()]) {
        secret.set({ 'cosign.pub': bad });
        await v.reload();
        expect(await isValid(v, alice)).toBe(true);
        expect(v.configHash()).toBe(before);
      }
      secret.fail('trust material secret portcullis-system/cosign-keys not found');
      await v.reload();
      expect(await isValid(v, alice)).toBe(true);
    } finally { await v.close(); }
  });

  it('swaps the whole key set at once: one bad key in the Secret keeps every old key', async () => {
    const ref = 'secret:portcullis-system/cosign-keys';
    const secret = createFakeTrustMaterialSource(ref, { 'a.pub': alice.publicPem });
    const v = await build({ keys: ['alice.pub', ref], ...noTlog }, { [ref]: secret });
    try {
      expect(await isValid(v, bob)).toBe(false);
      await change(v, secret, { 'a.pub': alice.publicPem, 'b.pub': bob.publicPem });
      expect(await isValid(v, bob)).toBe(true);
      secret.set({ 'b.pub': bob.publicPem, 'c.pub': 'garbage' });
      await v.reload();
      expect(await isValid(v, bob)).toBe(true);
    } finally { await v.close(); }
  });

  it('a verification in progress finishes with the material it started with', async () => {
    const secret = createFakeTrustMaterialSource('secret:portcullis-system/cosign-keys', { 'cosign.pub': alice.publicPem });
    const v = await build({ key: KEY_REF, ...noTlog }, { [KEY_REF]: secret });
    try {
      const pending = v.verify(testSubject(), signedBy(alice), verifyContext());
      secret.set({ 'cosign.pub': bob.publicPem });
      await v.reload();
      expect((await pending).valid).toBe(true);
      expect(await isValid(v, alice)).toBe(false);
    } finally { await v.close(); }
  });

  it('reloads the trusted root from a Secret, and keeps the old one when the new is not a trusted root', async () => {
    const first = createTestSigstoreCa();
    const root = createFakeTrustMaterialSource('secret:portcullis-system/sigstore', { 'trusted_root.json': first.trustedRootJson });
    const v = await build({ key: 'alice.pub', trustedRoot: ROOT_REF }, { [ROOT_REF]: root });
    try {
      const before = v.configHash();
      await change(v, root, { 'trusted_root.json': createTestSigstoreCa().trustedRootJson });
      const second = v.configHash();
      expect(second).not.toBe(before);
      root.set({ 'trusted_root.json': '{"mediaType":"something/else"}' });
      await v.reload();
      expect(v.configHash()).toBe(second);
    } finally { await v.close(); }
  });

  it('stops watching on close()', async () => {
    const secret = createFakeTrustMaterialSource('secret:portcullis-system/cosign-keys', { 'cosign.pub': alice.publicPem });
    const v = await build({ key: KEY_REF, ...noTlog }, { [KEY_REF]: secret });
    expect(secret.watchers()).toBe(1);
    await v.close();
    expect(secret.watchers()).toBe(0);
  });

  describe('when the Secret cannot serve at construction', () => {
    it('refuses an invalid key in the Secret, naming the field', async () => {
      const secret = createFakeTrustMaterialSource('secret:portcullis-system/cosign-keys', { 'cosign.pub': 'nope' });
      await expect(build({ keys: ['alice.pub', KEY_REF], ...noTlog }, { [KEY_REF]: secret }, 1)).rejects.toMatchObject({ code: 'INVALID_CONFIG', path: 'verifiers[1].keys[1]' });
    });

    it('refuses a trusted root reference to a Secret with several keys', async () => {
      const ref = 'secret:portcullis-system/sigstore';
      const secret = createFakeTrustMaterialSource(ref, { 'a.json': '{}', 'b.json': '{}' });
      await expect(build({ key: 'alice.pub', trustedRoot: ref }, { [ref]: secret })).rejects.toMatchObject({ code: 'INVALID_CONFIG', path: 'verifiers[0].trustedRoot' });
    });
  });

  describe('without Kubernetes access', () => {
    it.each([
      ['key', { key: KEY_REF, ...noTlog }, 'verifiers[0].key'],
      ['keys[]', { keys: ['alice.pub', KEY_REF], ...noTlog }, 'verifiers[0].keys[1]'],
      ['trustedRoot', { key: 'alice.pub', trustedRoot: ROOT_REF }, 'verifiers[0].trustedRoot'],
    ])('refuses a secret: %s with a ConfigError naming the field', async (_what, options, path) => {
      const err = await createCosignVerifier({ name: 'release', type: 'cosign', ...options }, 'verifiers[0]', { baseDir: dir, logger: silentLogger() }).catch((e: unknown) => e);
      expect(err).toMatchObject({ name: 'ConfigError', code: 'INVALID_CONFIG', path });
      expect((err as Error).message).toContain('needs Kubernetes access');
    });
  });
});
