/**
 * Hostile input: random single-byte mutations of valid JWS and COSE envelopes never crash the
 * verifier, and never verify (except when the byte changed is outside what is signed and
 * checked, e.g. the signing agent or base64 padding).
 */
import { describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { silentLogger } from '../../../../src/observability/logger.js';
import { createNotationVerifier } from '../../../../src/verifiers/notation/create-notation-verifier.js';
import type { ReferrerArtifact, Subject } from '../../../../src/verifiers/verifier.js';
import { VECTORS } from '../../../helpers/tools.js';

const GO = join(VECTORS, 'notation-go/verifier/testdata');
const subject: Subject = {
  reference: 'localhost:5000/net-monitor@sha256:c0669ef34cdc14332c0f1ab0c2c01acb91d96014b172f1a76f3a39e63d1f0bda',
  registry: 'localhost:5000', repository: 'net-monitor',
  digest: 'sha256:c0669ef34cdc14332c0f1ab0c2c01acb91d96014b172f1a76f3a39e63d1f0bda',
  mediaType: 'application/vnd.docker.distribution.manifest.v2+json', size: 528,
};

function artifact(mediaType: string, bytes: Uint8Array): ReferrerArtifact {
  const layer = { mediaType, digest: `sha256:${'1'.repeat(64)}`, size: bytes.length };
  const manifest = { schemaVersion: 2, artifactType: 'application/vnd.cncf.notary.signature', layers: [layer], subject: { digest: subject.digest } };
  const descriptor = { mediaType: 'application/vnd.oci.image.manifest.v1+json', digest: `sha256:${'2'.repeat(64)}`, size: 1, artifactType: 'application/vnd.cncf.notary.signature' };
  return { descriptor, manifest: { descriptor, bytes: Buffer.from(JSON.stringify(manifest)) }, blobs: [{ descriptor: layer, bytes }] };
}

/** A tiny deterministic PRNG so a failure can be replayed. */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32);
}

describe('mutated envelopes', () => {
  it.each([
    ['application/jose+json', 'timestamp/sigEnv/jwsWithTimestamp.sig'],
    ['application/cose', 'timestamp/sigEnv/coseWithTimestamp.sig'],
  ])('%s: 300 random mutations never throw', async (mediaType, file) => {
    const verifier = await createNotationVerifier({
      name: 'fuzz', type: 'notation', watch: false,
      trustStores: { ca: { v: ['truststore/x509/ca/valid-trust-store'] }, tsa: { t: ['truststore/x509/tsa/test-timestamp'] } },
      trustPolicy: { version: '1.0', trustPolicies: [{ name: 'p', registryScopes: ['*'], signatureVerification: { level: 'strict' }, trustStores: ['ca:v', 'tsa:t'], trustedIdentities: ['*'] }] },
    }, 'verifiers[0]', { baseDir: GO, logger: silentLogger() });
    const original = readFileSync(join(GO, file));
    const ctx = { signal: AbortSignal.timeout(60_000), now: new Date('2026-01-01T00:00:00Z'), nested: [] };
    expect((await verifier.verify(subject, artifact(mediaType, original), ctx)).valid).toBe(true);
    const random = rng(42);
    let invalid = 0;
    for (let i = 0; i < 300; i++) {
      const bytes = Buffer.from(original);
      const at = Math.floor(random() * bytes.length);
      bytes[at] = (bytes[at]! + 1 + Math.floor(random() * 255)) & 0xff;
      const r = await verifier.verify(subject, artifact(mediaType, bytes), ctx);
      if (!r.valid) {
        invalid++;
        expect(r.error?.code).toEqual(expect.any(String));
      }
    }
    expect(invalid).toBeGreaterThan(200);
  }, 60_000);
});
