/**
 * Notation trust stores and trust policies given as `secret:` references, served by a fake
 * TrustMaterialSource standing in for a watched Kubernetes Secret.
 */
import { describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { silentLogger } from '../../../../src/observability/logger.js';
import { createNotationVerifier, type NotationVerifier } from '../../../../src/verifiers/notation/create-notation-verifier.js';
import type { VerifierDeps } from '../../../../src/verifiers/verifier.js';
import { createFakeTrustMaterialSource, type FakeTrustMaterialSource } from '../../../helpers/fake-trust-material-source.js';
import { readOciLayout } from '../../../helpers/oci-layout.js';
import { VECTORS } from '../../../helpers/tools.js';
import { waitFor } from '../../../helpers/wait-for.js';

const CONFIG = join(VECTORS, 'notation-e2e-config');
const E2E_CA = readFileSync(join(CONFIG, 'localkeys/e2e.crt'));
const OTHER_CA = readFileSync(join(CONFIG, 'localkeys/new_e2e.crt'));
const POLICY = readFileSync(join(CONFIG, 'trustpolicies/trustpolicy.json'));
const CA_REF = 'secret:portcullis-system/release-ca/ca.crt';
const POLICY_REF = 'secret:portcullis-system/notation-policy/trustpolicy.json';

const layout = readOciLayout(join(VECTORS, 'notation-e2e/layouts/e2e-valid-signature'));
const image = layout.tagged('v1');
const [signature] = layout.referrers(image.digest);
const subject = layout.subject(image, 'localhost:5000', 'e2e');

function depsWith(sources: Record<string, FakeTrustMaterialSource>): VerifierDeps {
  return { baseDir: CONFIG, logger: silentLogger(), trustSource: (spec) => sources[spec] };
}

async function verdict(v: NotationVerifier) {
  return v.verify(subject, signature!, { signal: AbortSignal.timeout(5_000), now: new Date('2026-01-01T00:00:00Z'), nested: [] });
}

/** Updates the Secret; its watcher alone (no reload() call) must bring the new material in. */
async function change(v: NotationVerifier, source: FakeTrustMaterialSource, entries: Record<string, string | Uint8Array>): Promise<void> {
  const before = v.configHash();
  source.set(entries);
  await waitFor('the verifier to reload', () => (v.configHash() !== before ? true : undefined), 5_000, 10);
}

/** Updates the Secret with material that must be refused; waits for the reload it started. */
async function changeRefused(v: NotationVerifier, source: FakeTrustMaterialSource, entries: Record<string, string | Uint8Array>): Promise<void> {
  source.set(entries);
  await v.reload();
}

describe('createNotationVerifier with trust material from Secrets', () => {
  async function build(ca: Uint8Array) {
    const secret = createFakeTrustMaterialSource('secret:portcullis-system/release-ca', { 'ca.crt': ca });
    const v = (await createNotationVerifier(
      { name: 'release', type: 'notation', trustStores: { ca: { e2e: [CA_REF] } }, trustPolicyFile: 'trustpolicies/trustpolicy.json' },
      'verifiers[0]',
      depsWith({ [CA_REF]: secret }),
    )) as NotationVerifier;
    return { v, secret };
  }

  it('trusts the CA held in the Secret', async () => {
    const { v } = await build(E2E_CA);
    try {
      expect(await verdict(v)).toMatchObject({ valid: true });
    } finally { await v.close(); }
  });

  it('picks up a changed CA without being rebuilt, and changes its configHash', async () => {
    const { v, secret } = await build(OTHER_CA);
    try {
      expect(await verdict(v)).toMatchObject({ valid: false, error: { code: 'UNTRUSTED_CHAIN' } });
      const before = v.configHash();
      await change(v, secret, { 'ca.crt': E2E_CA });
      expect(await verdict(v)).toMatchObject({ valid: true });
      expect(v.configHash()).not.toBe(before);
      await change(v, secret, { 'ca.crt': OTHER_CA });
      expect(await verdict(v)).toMatchObject({ valid: false, error: { code: 'UNTRUSTED_CHAIN' } });
      expect(v.configHash()).toBe(before);
    } finally { await v.close(); }
  });

  it('keeps the previous CA when the new material is not a certificate, or the Secret is gone', async () => {
    const { v, secret } = await build(E2E_CA);
    try {
      const before = v.configHash();
      await changeRefused(v, secret, { 'ca.crt': 'not a certificate' });
      expect(await verdict(v)).toMatchObject({ valid: true });
      expect(v.configHash()).toBe(before);
      secret.fail('trust material secret portcullis-system/release-ca not found');
      await v.reload();
      expect(await verdict(v)).toMatchObject({ valid: true });
    } finally { await v.close(); }
  });

  it('stops watching the Secret on close()', async () => {
    const { v, secret } = await build(E2E_CA);
    expect(secret.watchers()).toBe(1);
    await v.close();
    expect(secret.watchers()).toBe(0);
  });

  it('reads the trust policy file from a Secret too', async () => {
    const ca = createFakeTrustMaterialSource('secret:portcullis-system/release-ca', { 'ca.crt': E2E_CA });
    const policy = createFakeTrustMaterialSource('secret:portcullis-system/notation-policy', { 'trustpolicy.json': POLICY });
    const v = (await createNotationVerifier(
      { name: 'release', type: 'notation', trustStores: { ca: { e2e: [CA_REF] } }, trustPolicyFile: POLICY_REF },
      'verifiers[0]',
      depsWith({ [CA_REF]: ca, [POLICY_REF]: policy }),
    )) as NotationVerifier;
    try {
      expect(await verdict(v)).toMatchObject({ valid: true });
      const scoped = JSON.parse(POLICY.toString()) as { trustPolicies: { registryScopes: string[] }[] };
      scoped.trustPolicies[0]!.registryScopes = ['localhost:5000/elsewhere'];
      await change(v, policy, { 'trustpolicy.json': JSON.stringify(scoped) });
      expect(await verdict(v)).toMatchObject({ valid: false, error: { code: 'NO_MATCHING_POLICY' } });
    } finally { await v.close(); }
  });

  it('refuses a secret: trust store without Kubernetes access, naming the field', async () => {
    const entry = { name: 'release', type: 'notation' as const, trustStores: { ca: { e2e: ['localkeys/e2e.crt', CA_REF] } }, trustPolicyFile: 'trustpolicies/trustpolicy.json' };
    const err = await createNotationVerifier(entry, 'verifiers[2]', { baseDir: CONFIG, logger: silentLogger() }).catch((e: unknown) => e);
    expect(err).toMatchObject({ name: 'ConfigError', code: 'INVALID_CONFIG', path: 'verifiers[2].trustStores.ca.e2e[1]' });
    expect((err as Error).message).toContain('needs Kubernetes access');
  });

  it('refuses a secret: trust policy file without Kubernetes access, naming the field', async () => {
    const entry = { name: 'release', type: 'notation' as const, trustStores: { ca: { e2e: ['localkeys/e2e.crt'] } }, trustPolicyFile: POLICY_REF };
    await expect(createNotationVerifier(entry, 'verifiers[0]', { baseDir: CONFIG, logger: silentLogger() }))
      .rejects.toMatchObject({ code: 'INVALID_CONFIG', path: 'verifiers[0].trustPolicyFile' });
  });
});
