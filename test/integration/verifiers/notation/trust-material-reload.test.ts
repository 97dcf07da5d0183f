/**
 * Trust stores and the trust policy file are watched (chokidar): the verifier picks up new
 * material without a restart, and refuses a broken change while keeping what it had.
 * Signatures come from notation's e2e layout vectors, read in place.
 */
import { afterEach, describe, expect, it } from '@jest/globals';
import { copyFileSync, mkdirSync, mkdtempSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
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

/** Lets the watcher finish its initial scan (and its one check on ready), so what follows is seen as a change. */
const settle = () => new Promise((ok) => setTimeout(ok, 600));

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
    await settle();
    const before = v.configHash();
    copyFileSync(join(KEYS, 'e2e.crt'), join(dir, 'ca', 'e2e.crt'));
    await hashChange(v, before);
    expect(await verify(v)).toMatchObject({ valid: true });
  }, 30_000);

  it('follows a Kubernetes Secret volume update (atomic ..data symlink swap)', async () => {
    dir = mkdtempSync(join(tmpdir(), 'trust-reload-'));
    const secret = join(dir, 'secret');
    mkdirSync(join(secret, '..2026_01_01_a'), { recursive: true });
    copyFileSync(join(KEYS, 'new_e2e.crt'), join(secret, '..2026_01_01_a', 'ca.crt'));
    symlinkSync('..2026_01_01_a', join(secret, '..data'));
    symlinkSync('..data/ca.crt', join(secret, 'ca.crt'));
    writeFileSync(join(dir, 'trustpolicy.json'), policy(['*']));
    const v = verifier = (await createNotationVerifier(
      { name: 'e2e', type: 'notation', trustStores: { ca: { e2e: ['secret'] } }, trustPolicyFile: 'trustpolicy.json' },
      'verifiers[0]',
      { baseDir: dir, logger: silentLogger() },
    )) as NotationVerifier;
    expect(await verify(v)).toMatchObject({ valid: false, error: { code: 'UNTRUSTED_CHAIN' } });
    await settle();
    const before = v.configHash();
    // What the kubelet does: write the new version beside the old, then rename a new symlink over ..data.
    mkdirSync(join(secret, '..2026_01_01_b'));
    copyFileSync(join(KEYS, 'e2e.crt'), join(secret, '..2026_01_01_b', 'ca.crt'));
    symlinkSync('..2026_01_01_b', join(secret, '..data_tmp'));
    renameSync(join(secret, '..data_tmp'), join(secret, '..data'));
    rmSync(join(secret, '..2026_01_01_a'), { recursive: true });
    await hashChange(v, before);
    expect(await verify(v)).toMatchObject({ valid: true });
  }, 30_000);

  it('follows a ConfigMap-mounted trust policy file through a ..data swap', async () => {
    const v = await setup();
    copyFileSync(join(KEYS, 'e2e.crt'), join(dir, 'ca', 'e2e.crt'));
    // Re-create the verifier over a policy file that is a symlink into ..data, as a ConfigMap volume is.
    await v.close();
    const cm = join(dir, 'cm');
    mkdirSync(join(cm, '..v1'), { recursive: true });
    writeFileSync(join(cm, '..v1', 'trustpolicy.json'), policy(['*']));
    symlinkSync('..v1', join(cm, '..data'));
    symlinkSync('..data/trustpolicy.json', join(cm, 'trustpolicy.json'));
    const w = verifier = (await createNotationVerifier(
      { name: 'e2e', type: 'notation', trustStores: { ca: { e2e: ['ca'] } }, trustPolicyFile: 'cm/trustpolicy.json' },
      'verifiers[0]',
      { baseDir: dir, logger: silentLogger() },
    )) as NotationVerifier;
    expect((await verify(w)).valid).toBe(true);
    await settle();
    const before = w.configHash();
    mkdirSync(join(cm, '..v2'));
    writeFileSync(join(cm, '..v2', 'trustpolicy.json'), policy(['x509.subject: C=US, ST=WA, O=Someone Else']));
    symlinkSync('..v2', join(cm, '..data_tmp'));
    renameSync(join(cm, '..data_tmp'), join(cm, '..data'));
    rmSync(join(cm, '..v1'), { recursive: true });
    const second = await hashChange(w, before);
    expect(await verify(w)).toMatchObject({ valid: false, error: { code: 'UNTRUSTED_IDENTITY' } });
    // And again: the watch survives the first swap.
    mkdirSync(join(cm, '..v3'));
    writeFileSync(join(cm, '..v3', 'trustpolicy.json'), policy(['x509.subject: C=US, ST=WA, L=Seattle, O=Notary']));
    symlinkSync('..v3', join(cm, '..data_tmp'));
    renameSync(join(cm, '..data_tmp'), join(cm, '..data'));
    rmSync(join(cm, '..v2'), { recursive: true });
    await hashChange(w, second);
    expect((await verify(w)).valid).toBe(true);
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
