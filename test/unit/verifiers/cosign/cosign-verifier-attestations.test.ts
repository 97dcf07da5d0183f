/**
 * In-toto attestations: DSSE envelopes in `.att` layers and in Sigstore bundles. The statement
 * must be about the image and of an accepted predicate type; a verified predicate reaches
 * `details.attestations` (the policy input), an unverified one never does; statements over the
 * size or nesting limit are refused with STATEMENT_TOO_LARGE.
 */
import { describe, expect, it } from '@jest/globals';
import { bundleToJSON, toDSSEBundle } from '@sigstore/bundle';
import { dsse } from '@sigstore/core';
import type { ReferrerArtifact, Verifier } from '../../../../src/verifiers/verifier.js';
import { bundleReferrerArtifact } from '../../../helpers/bundle-referrer-artifact.js';
import { OTHER_DIGEST, TEST_DIGEST, buildCosignVerifier, cosignSign, tempDirWith, testKey, testSubject, verifyContext, type TestKey } from '../../../helpers/cosign-test-fixtures.js';
import { legacySigArtifact } from '../../../helpers/legacy-sig-artifact.js';

const SLSA = 'https://slsa.dev/provenance/v1';
const VULN = 'https://cosign.sigstore.dev/attestation/vuln/v1';
const key = testKey('ecdsa-p256');
const dir = tempDirWith({ 'cosign.pub': key.publicPem });
const provenance = { buildDefinition: { buildType: 'https://example.test/build/v1', externalParameters: { source: 'git+https://git.example/org/app@refs/heads/main' } }, runDetails: { builder: { id: 'https://ci.example/builder' } } };

function statement(subjectDigest: string, predicateType: string, predicate: unknown): Buffer {
  return Buffer.from(JSON.stringify({ _type: 'https://in-toto.io/Statement/v1', subject: [{ name: 'registry.test/org/app', digest: { sha256: subjectDigest.slice(7) } }], predicateType, predicate }));
}

/** A `.att` layer as `cosign attest` writes it: the envelope is the blob, the signature annotation empty. */
function attLayer(payload: Buffer, signer: TestKey = key, predicateType = SLSA) {
  const sig = cosignSign(dsse.preAuthEncoding('application/vnd.in-toto+json', payload), signer.privateKey);
  const envelope = { payloadType: 'application/vnd.in-toto+json', payload: payload.toString('base64'), signatures: [{ keyid: '', sig: sig.toString('base64') }] };
  return { payload: Buffer.from(JSON.stringify(envelope)), annotations: { 'dev.cosignproject.cosign/signature': '', predicateType } };
}

function dsseBundle(payload: Buffer, signer: TestKey = key): ReferrerArtifact {
  const signature = cosignSign(dsse.preAuthEncoding('application/vnd.in-toto+json', payload), signer.privateKey);
  const bundle = Buffer.from(JSON.stringify(bundleToJSON(toDSSEBundle({ artifact: payload, artifactType: 'application/vnd.in-toto+json', signature, keyHint: 'hint' }))));
  return bundleReferrerArtifact(bundle, TEST_DIGEST);
}

async function run(verifier: Verifier, artifact: ReferrerArtifact) {
  const result = await verifier.verify(testSubject(), artifact, verifyContext());
  return { result, signatures: result.details.signatures as Array<Record<string, unknown>>, attestations: result.details.attestations as Array<Record<string, unknown>> };
}

const attestationVerifier = (options: Record<string, unknown> = {}) => buildCosignVerifier({ key: 'cosign.pub', tlog: { required: false }, predicateTypes: [SLSA, VULN], ...options }, dir);

describe('CosignVerifier on in-toto attestations', () => {
  it('looks at .att tags and bundles by default once predicateTypes is set', async () => {
    expect((await attestationVerifier()).artifactTypes).toEqual(expect.arrayContaining(['application/vnd.dev.cosign.artifact.att.v1+json', 'application/vnd.dev.sigstore.bundle.v0.3+json']));
    expect((await buildCosignVerifier({ key: 'cosign.pub' , tlog: { required: false } }, dir)).artifactTypes).not.toContain('application/vnd.dev.cosign.artifact.att.v1+json');
  });

  describe('in a legacy .att tag', () => {
    it('verifies the envelope and gives the predicate to the policy', async () => {
      const { result, attestations } = await run(await attestationVerifier(), legacySigArtifact([attLayer(statement(TEST_DIGEST, SLSA, provenance))], 'att'));
      expect(result).toMatchObject({ valid: true, message: `${SLSA} attestation signed by key cosign.pub` });
      expect(attestations).toEqual([{ format: 'legacy', layer: 0, predicateType: SLSA, statementType: 'https://in-toto.io/Statement/v1', predicate: provenance, key: 'cosign.pub' }]);
    });

    it('reports every attestation of a manifest that holds several, one per layer', async () => {
      const layers = [attLayer(statement(TEST_DIGEST, SLSA, provenance)), attLayer(statement(TEST_DIGEST, VULN, { scanner: { uri: 'x' } }), key, VULN)];
      const { attestations } = await run(await attestationVerifier(), legacySigArtifact(layers, 'att'));
      expect(attestations.map((a) => a.predicateType)).toEqual([SLSA, VULN]);
    });

    it('refuses a statement naming another subject with PAYLOAD_DIGEST_MISMATCH and passes no predicate on', async () => {
      const { result, signatures, attestations } = await run(await attestationVerifier(), legacySigArtifact([attLayer(statement(OTHER_DIGEST, SLSA, provenance))], 'att'));
      expect(result.valid).toBe(false);
      expect(signatures[0]).toMatchObject({ valid: false, failedCheck: 'PAYLOAD_DIGEST_MISMATCH' });
      expect(attestations).toEqual([]);
    });

    it('refuses a predicate type that is not configured with PREDICATE_TYPE_MISMATCH', async () => {
      const layer = attLayer(statement(TEST_DIGEST, 'https://spdx.dev/Document', {}));
      const { signatures } = await run(await attestationVerifier(), legacySigArtifact([layer], 'att'));
      expect(signatures[0]).toMatchObject({ valid: false, failedCheck: 'PREDICATE_TYPE_MISMATCH', predicateType: 'https://spdx.dev/Document' });
    });

    it('refuses an envelope signed by another key, keeping its predicate out of the result', async () => {
      const { signatures, attestations } = await run(await attestationVerifier(), legacySigArtifact([attLayer(statement(TEST_DIGEST, SLSA, provenance), testKey('ecdsa-p256'))], 'att'));
      expect(signatures[0]).toMatchObject({ valid: false, failedCheck: 'WRONG_KEY' });
      expect(attestations).toEqual([]);
    });

    it('refuses a statement changed after signing', async () => {
      const layer = attLayer(statement(TEST_DIGEST, SLSA, provenance));
      const envelope = JSON.parse(layer.payload.toString()) as { payload: string };
      envelope.payload = statement(TEST_DIGEST, SLSA, { ...provenance, runDetails: { builder: { id: 'https://evil.example' } } }).toString('base64');
      const { signatures } = await run(await attestationVerifier(), legacySigArtifact([{ ...layer, payload: Buffer.from(JSON.stringify(envelope)) }], 'att'));
      expect(signatures[0]).toMatchObject({ valid: false });
      expect(['SIGNATURE_INVALID', 'WRONG_KEY']).toContain(signatures[0]?.failedCheck);
    });

    it('refuses a predicate over statementLimits.maxBytes with STATEMENT_TOO_LARGE', async () => {
      const big = { blob: 'x'.repeat(4096) };
      const { result, signatures } = await run(await attestationVerifier({ statementLimits: { maxBytes: 2048 } }), legacySigArtifact([attLayer(statement(TEST_DIGEST, SLSA, big))], 'att'));
      expect(result.valid).toBe(false);
      expect(signatures[0]).toMatchObject({ valid: false, failedCheck: 'STATEMENT_TOO_LARGE' });
      expect(result.message).toMatch(/statementLimits/);
    });

    it('refuses a predicate nested deeper than statementLimits.maxDepth with STATEMENT_TOO_LARGE', async () => {
      let deep: unknown = 1;
      for (let i = 0; i < 40; i++) deep = [deep];
      const { signatures } = await run(await attestationVerifier(), legacySigArtifact([attLayer(statement(TEST_DIGEST, SLSA, deep))], 'att'));
      expect(signatures[0]).toMatchObject({ valid: false, failedCheck: 'STATEMENT_TOO_LARGE' });
    });

    it('refuses a DSSE payload that is not an in-toto statement as MALFORMED', async () => {
      const { signatures } = await run(await attestationVerifier(), legacySigArtifact([attLayer(Buffer.from(JSON.stringify({ _type: 'other', subject: [] })))], 'att'));
      expect(signatures[0]).toMatchObject({ valid: false, failedCheck: 'MALFORMED' });
    });

    it('refuses an envelope that is not JSON as MALFORMED, layer by layer', async () => {
      const good = attLayer(statement(TEST_DIGEST, SLSA, provenance));
      const { result, signatures } = await run(await attestationVerifier(), legacySigArtifact([{ payload: Buffer.from('{"payload":'), annotations: {} }, good], 'att'));
      expect(signatures[0]).toMatchObject({ valid: false, failedCheck: 'MALFORMED' });
      expect(result.valid).toBe(true);
    });
  });

  describe('in a Sigstore bundle', () => {
    it('verifies it and gives the predicate to the policy', async () => {
      const { result, attestations } = await run(await attestationVerifier(), dsseBundle(statement(TEST_DIGEST, VULN, { scanner: { result: {} } })));
      expect(result.valid).toBe(true);
      expect(attestations).toEqual([expect.objectContaining({ format: 'bundle', predicateType: VULN, predicate: { scanner: { result: {} } } })]);
    });

    it('refuses one over the size limit with STATEMENT_TOO_LARGE', async () => {
      const { signatures, attestations } = await run(await attestationVerifier({ statementLimits: { maxBytes: 2048 } }), dsseBundle(statement(TEST_DIGEST, SLSA, { blob: 'y'.repeat(4096) })));
      expect(signatures[0]).toMatchObject({ valid: false, failedCheck: 'STATEMENT_TOO_LARGE' });
      expect(attestations).toEqual([]);
    });

    it('refuses a statement naming another subject with PAYLOAD_DIGEST_MISMATCH', async () => {
      const { signatures } = await run(await attestationVerifier(), dsseBundle(statement(OTHER_DIGEST, SLSA, provenance)));
      expect(signatures[0]).toMatchObject({ valid: false, failedCheck: 'PAYLOAD_DIGEST_MISMATCH' });
    });
  });
});
