/** Small builders shared by the Cosign verifier tests. */
import { generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { silentLogger } from '../../src/observability/logger.js';
import { createCosignVerifier } from '../../src/verifiers/cosign/create-cosign-verifier.js';
import type { Subject, Verifier, VerifyContext } from '../../src/verifiers/verifier.js';

export type TestKeyType = 'ecdsa-p256' | 'ecdsa-p384' | 'ecdsa-p521' | 'rsa-2048' | 'rsa-4096' | 'ed25519';

export interface TestKey {
  readonly privateKey: KeyObject;
  readonly publicKey: KeyObject;
  readonly publicPem: string;
}

export function testKey(type: TestKeyType): TestKey {
  const pair =
    type === 'ed25519'
      ? generateKeyPairSync('ed25519')
      : type.startsWith('rsa')
        ? generateKeyPairSync('rsa', { modulusLength: Number(type.slice(4)) })
        : generateKeyPairSync('ec', { namedCurve: { 'ecdsa-p256': 'prime256v1', 'ecdsa-p384': 'secp384r1', 'ecdsa-p521': 'secp521r1' }[type as 'ecdsa-p256'] });
  return { ...pair, publicPem: pair.publicKey.export({ type: 'spki', format: 'pem' }).toString() };
}

/** Signs like cosign: SHA-256 for ECDSA/RSA, pure Ed25519. */
export function cosignSign(payload: Buffer, key: KeyObject): Buffer {
  return sign(key.asymmetricKeyType === 'ed25519' ? null : 'sha256', payload, key);
}

export const TEST_DIGEST = `sha256:${'ab'.repeat(32)}`;
export const OTHER_DIGEST = `sha256:${'cd'.repeat(32)}`;

export function testSubject(digest = TEST_DIGEST, registry = 'registry.test', repository = 'org/app'): Subject {
  return { reference: `${registry}/${repository}:1.0@${digest}`, registry, repository, tag: '1.0', digest, mediaType: 'application/vnd.oci.image.manifest.v1+json', size: 500 };
}

export function verifyContext(): VerifyContext {
  return { signal: new AbortController().signal, now: new Date(), nested: [] };
}

/** A temp directory holding the given files; returns its path. */
export function tempDirWith(files: Record<string, string | Buffer>): string {
  const dir = mkdtempSync(join(tmpdir(), 'portcullis-cosign-'));
  for (const [name, content] of Object.entries(files)) writeFileSync(join(dir, name), content);
  return dir;
}

/** Builds a Cosign verifier the way main.ts does (config entry, path, deps). */
export async function buildCosignVerifier(options: Record<string, unknown>, baseDir: string, index = 0): Promise<Verifier> {
  return createCosignVerifier({ name: 'cosign-test', type: 'cosign', ...options }, `verifiers[${index}]`, { baseDir, logger: silentLogger() });
}
