/**
 * Trust stores and the trust policy file are watched (chokidar): the verifier picks up new
 * material without a restart, and refuses a broken change while keeping what it had.
 * Signatures come from notation's e2e layout vectors, read in place.
 */
import { afterEach, describe, expect, it } from '@jest/globals';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { silentLogger } from '../../../../src/observability/logger.js';
import { createNotationVerifier, type NotationVerifier } from '../../../../src/verifiers/notation/create-notation-verifier.js';
import { readOciLayout } from '../../../helpers/oci-layout.js';
import { VECTORS } from '../../../helpers/tools.js';

const KEYS = join(VECTORS, 'notation-e2e-config/localkeys');
const layout = readOciLayout(join(VECTORS, 'notation-e2e/layouts/e2e-valid-signature'));
const image = layout.tagged('v1');
const subject = layout.subject(image, 'localhost:5000', 'e2e');
const [signature] = layout.referrers(image.digest);

let dir: string;
let verifier: NotationVerifier | undefined;
afterEach(async () => {
  await verifier?.close();
  verifier = undefined;
  rmSync(dir, { recursive: true, force: true });
});

const policy = (identities: string[]) => JSON.stringify({
  version: '1.0',
  trustPolicies: [{ name: 'e2e', registryScopes: ['*'], signatureVerification: { level: 'strict' }, trustStores: ['ca:e2e'], trustedIdentities: identities }],
});

async function setup(): Promise<NotationVerifier> {
  dir = mkdtempSync(join(tmpdir(), 'trust-reload-'));
  mkdirSync(join(dir, 'ca'));
  copyFileSync(join(KEYS, 'new_e2e.crt'), join(dir, 'ca', 'other.crt'));
  writeFileSync(join(dir, 'trustpolicy.json'), policy(['*']));
  verifier = (await createNotationVerifier(
    { name: 'e2e', type: 'notation', trustStores: { ca: { e2e: ['ca'] } }, trustPolicyFile: 'trustpolicy.json' },
    'verifiers[0]',
    { baseDir: dir, logger: silentLogger() },
  )) as NotationVerifier;
  return verifier;
}

const verify = (v: NotationVerifier) => v.verify(subject, signature!, { signal: AbortSignal.timeout(5000), now: new Date('2026-01-01T00:00:00Z'), nested: [] });

/** Waits (bounded) until the verifier's config hash moves away from `from`. */
async function hashChange(v: NotationVerifier, from: string): Promise<string> {
  for (let i = 0; i < 100; i++) {
    if (v.configHash() !== from) return v.configHash();
    await new Promise((ok) => setTimeout(ok, 100));
  }
  throw new Error('trust material was not reloaded within 10 s');
}

describe('notation trust material reload', () => {
  it('trusts a certificate added to a watched trust-store folder', async () => {
    const v = await setup();
    expect(await verify(v)).toMatchObject({ valid: false, error: { code: 'UNTRUSTED_CHAIN' } });
    const before = v.configHash();
    copyFileSync(join(KEYS, 'e2e.crt'), join(dir, 'ca', 'e2e.crt'));
    await hashChange(v, before);
    expect(await verify(v)).toMatchObject({ valid: true });
  }, 30_000);

  it('applies a changed trust policy file', async () => {
    const v = await setup();
    copyFileSync(join(KEYS, 'e2e.crt'), join(dir, 'ca', 'e2e.crt'));
    await v.reload();
    expect((await verify(v)).valid).toBe(true);
    const before = v.configHash();
    writeFileSync(join(dir, 'trustpolicy.json'), policy(['x509.subject: C=US, ST=WA, O=Someone Else']));
    await hashChange(v, before);
    expect(await verify(v)).toMatchObject({ valid: false, error: { code: 'UNTRUSTED_IDENTITY' } });
  }, 30_000);

  it('refuses a broken change and keeps the previous material', async () => {
    const v = await setup();
    copyFileSync(join(KEYS, 'e2e.crt'), join(dir, 'ca', 'e2e.crt'));
    await v.reload();
    const good = v.configHash();
    writeFileSync(join(dir, 'ca', 'broken.crt'), 'not a certificate');
    writeFileSync(join(dir, 'trustpolicy.json'), '{ "version": "1.0", ');
    await v.reload();
    expect(v.configHash()).toBe(good);
    expect((await verify(v)).valid).toBe(true);
  }, 30_000);

  it('refuses broken material at load with a ConfigError naming the store', async () => {
    dir = mkdtempSync(join(tmpdir(), 'trust-reload-'));
    writeFileSync(join(dir, 'bad.pem'), 'nope');
    await expect(createNotationVerifier(
      { name: 'e2e', type: 'notation', trustStores: { ca: { e2e: ['bad.pem'] } }, trustPolicy: JSON.parse(policy(['*'])), watch: false },
      'verifiers[2]',
      { baseDir: dir, logger: silentLogger() },
    )).rejects.toMatchObject({ name: 'ConfigError', path: 'verifiers[2].trustStores', message: expect.stringContaining('bad.pem') });
  });
});
