/**
 * The intoto verifier on statements built in memory, with nested signature results as the
 * pipeline hands them over: what needs a signature, which layers are statements, and the
 * bounds on what reaches the policy. The real notation CLI and registries are in
 * test/integration/verifiers/intoto/.
 */
import { describe, expect, it } from '@jest/globals';
import { silentLogger } from '../../../../src/observability/logger.js';
import { createInTotoVerifier } from '../../../../src/verifiers/intoto/create-in-toto-verifier.js';
import type { VerifierConfigEntry, VerifierResult } from '../../../../src/verifiers/verifier.js';
import { referrerArtifact } from '../../../helpers/referrer-artifact.js';

const DIGEST = `sha256:${'ab'.repeat(32)}`;
const SLSA = 'https://slsa.dev/provenance/v1';
const subject = { reference: `r.example/app@${DIGEST}`, registry: 'r.example', repository: 'app', digest: DIGEST, mediaType: 'application/vnd.oci.image.manifest.v1+json', size: 100 };
const deps = { baseDir: '/', logger: silentLogger() };
const signed: VerifierResult = {
  verifier: 'release', type: 'notation', artifactType: 'application/vnd.cncf.notary.signature',
  referrer: { digest: `sha256:${'cd'.repeat(32)}`, mediaType: 'application/vnd.oci.image.manifest.v1+json', annotations: {} },
  valid: true, message: 'ok', details: {}, nested: [],
};
const statement = (predicate: unknown, digest = DIGEST, predicateType = SLSA) =>
  JSON.stringify({ _type: 'https://in-toto.io/Statement/v1', subject: [{ name: 'app', digest: { sha256: digest.slice(7) } }], predicateType, predicate });
const verifier = (options: Partial<VerifierConfigEntry> = {}) => createInTotoVerifier({ name: 'statements', type: 'intoto', ...options }, 'verifiers[1]', deps);
const run = async (layers: { mediaType: string; bytes: string }[], options: Partial<VerifierConfigEntry> = {}, nested = [signed], artifactType = 'application/vnd.in-toto+json') =>
  (await verifier(options)).verify(subject, referrerArtifact({ artifactType, layers }), { signal: AbortSignal.timeout(5000), now: new Date(), nested });

describe('intoto verifier', () => {
  it('refuses requireSignature: false at load: an unsigned statement is no fact', async () => {
    await expect(verifier({ requireSignature: false })).rejects.toMatchObject({ code: 'INVALID_CONFIG', path: 'verifiers[1].requireSignature' });
  });

  it('asks the pipeline for the statement signatures of the named verifiers, or of any', async () => {
    expect((await verifier()).nestedRequirement).toEqual({ verifiers: [] });
    expect((await verifier({ requireSignature: { verifiers: ['release'] } })).nestedRequirement).toEqual({ verifiers: ['release'] });
    expect((await verifier()).artifactTypes).toEqual(['application/vnd.in-toto+json', 'application/vnd.docker.attestation.manifest.v1+json']);
  });

  it('hands over the predicate of a signed statement, naming who signed it', async () => {
    const r = await run([{ mediaType: 'application/vnd.in-toto+json', bytes: statement({ builder: 'b' }) }]);
    expect(r).toMatchObject({ valid: true, type: 'intoto', details: { signature: { satisfied: true, trustedBy: ['release'] } } });
    expect(r.details.attestations).toEqual([{ format: 'oci-artifact', layer: 0, predicateType: SLSA, statementType: 'https://in-toto.io/Statement/v1', predicate: { builder: 'b' }, signedBy: ['release'] }]);
  });

  it('reads the first layer of an in-toto artifact written without a layer media type (oras attach file without :type)', async () => {
    const r = await run([{ mediaType: 'application/vnd.oci.image.layer.v1.tar', bytes: statement({}) }]);
    expect(r.valid).toBe(true);
  });

  it('gives NO_STATEMENT for a BuildKit manifest without statement layers', async () => {
    const r = await run([{ mediaType: 'application/vnd.oci.image.layer.v1.tar', bytes: statement({}) }], {}, [signed], 'application/vnd.docker.attestation.manifest.v1+json');
    expect(r).toMatchObject({ valid: false, error: { code: 'NO_STATEMENT' } });
  });

  it('gives NOT_SIGNED without a valid nested signature, and reads nothing', async () => {
    const r = await run([{ mediaType: 'application/vnd.in-toto+json', bytes: '{' }], {}, [{ ...signed, valid: false, message: 'bad chain' }]);
    expect(r).toMatchObject({ valid: false, error: { code: 'NOT_SIGNED' } });
    expect(r.error!.message).toContain('release: bad chain');
    expect(r.details.attestations).toBeUndefined();
  });

  it('refuses another predicate type, another subject, too deep a predicate; a good layer beside them stands', async () => {
    let deep: unknown = 1;
    for (let i = 0; i < 40; i++) deep = [deep];
    const r = await run([
      { mediaType: 'application/vnd.in-toto+json', bytes: statement({}, DIGEST, 'https://example.test/other') },
      { mediaType: 'application/vnd.in-toto+json', bytes: statement({}, `sha256:${'ef'.repeat(32)}`) },
      { mediaType: 'application/vnd.in-toto+json', bytes: statement(deep) },
      { mediaType: 'application/vnd.in-toto+json', bytes: 'not json' },
      { mediaType: 'application/vnd.in-toto+json', bytes: statement({ ok: true }) },
    ], { predicateTypes: [SLSA] });
    expect(r.valid).toBe(true);
    expect((r.details.failures as Array<{ layer: number; code: string }>).map((f) => [f.layer, f.code])).toEqual([
      [0, 'PREDICATE_TYPE_MISMATCH'], [1, 'PAYLOAD_DIGEST_MISMATCH'], [2, 'STATEMENT_TOO_LARGE'], [3, 'MALFORMED'],
    ]);
    expect((r.details.attestations as unknown[]).length).toBe(1);
  });

  it('is invalid with the first failure code when no statement passes', async () => {
    const r = await run([{ mediaType: 'application/vnd.in-toto+json', bytes: statement({}, `sha256:${'ef'.repeat(32)}`) }]);
    expect(r).toMatchObject({ valid: false, error: { code: 'PAYLOAD_DIGEST_MISMATCH' }, details: { attestations: [] } });
  });
});
