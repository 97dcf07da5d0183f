import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { CYCLONEDX_JSON, SPDX_JSON } from '../../../../src/oci/media-types.js';
import { silentLogger } from '../../../../src/observability/logger.js';
import { createSbomVerifier } from '../../../../src/verifiers/sbom/create-sbom-verifier.js';
import type { ReferrerArtifact, VerifierConfigEntry, VerifierResult } from '../../../../src/verifiers/verifier.js';
import { referrerArtifact } from '../../../helpers/referrer-artifact.js';
import { VECTORS } from '../../../helpers/tools.js';

const SYFT_SPDX = readFileSync(join(VECTORS, 'sbom/syft.spdx.json'));
const subject = { reference: 'r/app@sha256:' + 'a'.repeat(64), registry: 'r', repository: 'app', digest: 'sha256:' + 'a'.repeat(64), mediaType: 'application/vnd.oci.image.manifest.v1+json', size: 1 };

async function run(bytes: Uint8Array | string, options: Partial<VerifierConfigEntry> = {}, mediaType = SPDX_JSON): Promise<VerifierResult> {
  const verifier = await createSbomVerifier({ name: 'sbom', type: 'sbom', disallowedLicenses: ['GPL-3.0-only'], ...options }, 'verifiers[0]', { baseDir: '/', logger: silentLogger() });
  const artifact: ReferrerArtifact = referrerArtifact({ artifactType: mediaType, layers: [{ mediaType, bytes }] });
  return verifier.verify(subject, artifact, { signal: new AbortController().signal, now: new Date('2024-01-01T00:00:00Z'), nested: [] });
}
const spdxDoc = (packages: unknown, extra: Record<string, unknown> = {}): string => JSON.stringify({
  spdxVersion: 'SPDX-2.3', creationInfo: { created: '2023-12-01T00:00:00Z', creators: ['Tool: test'] }, packages, ...extra,
});

describe('createSbomVerifier on hostile documents', () => {
  it('refuses 100 000 nested arrays as too deep', async () => {
    const r = await run(`${'['.repeat(100_000)}${']'.repeat(100_000)}`);
    expect(r).toMatchObject({ valid: false, error: { code: 'DOCUMENT_TOO_DEEP' } });
    expect(r.message).toBe('SBOM could not be evaluated: JSON nests deeper than 64 levels (at byte 64)');
  });

  it('refuses objects nested 500 deep inside a package as too deep', async () => {
    const r = await run(spdxDoc([{ name: 'x', extra: JSON.parse('{"a":'.repeat(500) + '1' + '}'.repeat(500)) }]));
    expect(r.error?.code).toBe('DOCUMENT_TOO_DEEP');
  });

  it('does not count brackets inside strings as nesting', async () => {
    const r = await run(spdxDoc([{ name: '['.repeat(10_000), licenseConcluded: 'MIT' }]));
    expect(r.valid).toBe(true);
    expect(r.details.packageCount).toBe(1);
  });

  it('refuses a 50 MB document as too large without parsing it', async () => {
    const big = new Uint8Array(50 * 1024 * 1024).fill(0x20);
    const r = await run(big);
    expect(r).toMatchObject({ valid: false, error: { code: 'DOCUMENT_TOO_LARGE', message: 'document is 52428800 bytes, over the limit of 16777216' } });
  });

  it('applies a configured size cap', async () => {
    const r = await run(SYFT_SPDX, { maxDocumentBytes: 1024 });
    expect(r.error?.code).toBe('DOCUMENT_TOO_LARGE');
  });

  it.each([
    ['truncated JSON', SYFT_SPDX.subarray(0, 5000)],
    ['an empty layer', new Uint8Array(0)],
    ['trailing garbage', Buffer.concat([SYFT_SPDX, Buffer.from('}')])],
    ['invalid UTF-8', Uint8Array.from([0x7b, 0x22, 0xff, 0xfe, 0x22, 0x3a, 0x31, 0x7d])],
  ])('fails %s as malformed JSON', async (_, bytes) => {
    const r = await run(bytes);
    expect(r).toMatchObject({ valid: false, error: { code: 'MALFORMED_JSON' } });
    expect(r.message.length).toBeLessThan(300);
  });

  it.each([
    ['an array', '[]', 'INVALID_DOCUMENT', 'the SBOM is not a JSON object'],
    ['a number', '42', 'INVALID_DOCUMENT', 'the SBOM is not a JSON object'],
    ['null', 'null', 'INVALID_DOCUMENT', 'the SBOM is not a JSON object'],
    ['packages as a string', spdxDoc('x'), 'INVALID_DOCUMENT', 'invalid SPDX document: packages: Invalid input: expected array, received string'],
    ['a package name as a number', spdxDoc([{ name: 'a' }, { name: 5 }]), 'INVALID_DOCUMENT', 'invalid SPDX document: packages[1].name: Invalid input: expected string, received number'],
    ['externalRefs of the wrong shape', spdxDoc([{ name: 'a', externalRefs: [{ referenceType: 'purl' }] }]), 'INVALID_DOCUMENT', 'invalid SPDX document: packages[0].externalRefs[0].referenceLocator: Invalid input: expected string, received undefined'],
    ['no creationInfo', JSON.stringify({ spdxVersion: 'SPDX-2.3', packages: [] }), 'INVALID_DOCUMENT', 'invalid SPDX document: creationInfo: Invalid input: expected object, received undefined'],
    ['spdxVersion as a number', JSON.stringify({ spdxVersion: 2.3 }), 'INVALID_DOCUMENT', 'invalid SPDX document: spdxVersion: Invalid input: expected string, received number'],
    ['SPDX 2.1', spdxDoc([], { spdxVersion: 'SPDX-2.1' }), 'UNSUPPORTED_VERSION', 'SPDX version "SPDX-2.1" is not supported (SPDX-2.2, SPDX-2.3)'],
    ['SPDX 3 JSON-LD', JSON.stringify({ '@context': 'https://spdx.org/rdf/3.0.1/spdx-context.jsonld', '@graph': [] }), 'UNSUPPORTED_FORMAT', 'the document is neither SPDX 2 JSON nor CycloneDX JSON (SPDX 3 JSON-LD is not supported)'],
  ])('fails %s with a clear reason', async (_, text, code, message) => {
    expect(await run(text)).toMatchObject({ valid: false, error: { code, message } });
  });

  it('fails a CycloneDX document with a bad nested component, naming its path', async () => {
    const doc = { bomFormat: 'CycloneDX', specVersion: '1.5', components: [{ name: 'a', components: [{ name: 'b' }, { name: 'c', licenses: [{ license: 'MIT' }] }] }] };
    const r = await run(JSON.stringify(doc), {}, CYCLONEDX_JSON);
    expect(r.error).toEqual({ code: 'INVALID_DOCUMENT', message: expect.stringMatching(/^invalid CycloneDX document: components\[0\]\.components\[1\]\.licenses\[0\]/) });
  });

  it('walks CycloneDX components nested 200 deep without recursion', async () => {
    let component: Record<string, unknown> = { name: 'leaf', version: '1.0.0', licenses: [{ license: { id: 'GPL-3.0-only' } }] };
    for (let i = 0; i < 200; i++) component = { name: `c${i}`, components: [component] };
    const r = await run(JSON.stringify({ bomFormat: 'CycloneDX', specVersion: '1.6', components: [component] }), { maxDocumentDepth: 512 }, CYCLONEDX_JSON);
    expect(r.details).toMatchObject({ packageCount: 201, violationCount: 1, violations: [expect.objectContaining({ package: 'leaf', version: '1.0.0' })] });
  });

  it('refuses a document whose media type and content disagree', async () => {
    const r = await run(JSON.stringify({ bomFormat: 'CycloneDX', specVersion: '1.5' }));
    expect(r.error).toEqual({ code: 'FORMAT_MISMATCH', message: 'the layer media type is application/spdx+json but the document is CycloneDX' });
  });

  it('fails a referrer without an SBOM layer', async () => {
    const verifier = await createSbomVerifier({ name: 'sbom', type: 'sbom' }, 'verifiers[0]', { baseDir: '/', logger: silentLogger() });
    const artifact = referrerArtifact({ artifactType: 'application/vnd.example', layers: [{ mediaType: 'text/plain', bytes: 'hi' }] });
    const r = await verifier.verify(subject, artifact, { signal: new AbortController().signal, now: new Date(), nested: [] });
    expect(r.error).toEqual({ code: 'NO_DOCUMENT', message: 'the referrer has no SBOM layer (application/spdx+json, application/vnd.cyclonedx+json); its layers: text/plain' });
  });

  it('bounds what a huge package name and license add to the result', async () => {
    const name = 'n'.repeat(1_000_000);
    const license = `${Array.from({ length: 20_000 }, (_, i) => `LicenseRef-${i}`).join(' OR ')} OR GPL-3.0-only`;
    const r = await run(spdxDoc([{ name, versionInfo: '1', licenseConcluded: `(${license}) AND GPL-3.0-only` }]));
    expect(r.valid).toBe(false);
    expect(JSON.stringify(r).length).toBeLessThan(5000);
  });

  it('caps the violations listed while counting them all', async () => {
    const packages = Array.from({ length: 5000 }, (_, i) => ({ name: `p${i}`, licenseConcluded: 'GPL-3.0-only' }));
    const r = await run(spdxDoc(packages));
    expect(r.details.violationCount).toBe(5000);
    expect(r.details.violations).toHaveLength(100);
  });

  it('is not confused by __proto__ keys', async () => {
    const r = await run(`{"__proto__":{"polluted":true},"spdxVersion":"SPDX-2.3","creationInfo":{"created":"2023-12-01T00:00:00Z","creators":[]},"packages":[{"name":"x","__proto__":{"licenseConcluded":"GPL-3.0-only"}}]}`);
    expect(r.valid).toBe(true);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('never throws on corrupted copies of a real SBOM', async () => {
    let seed = 42;
    const random = (n: number): number => { seed = (seed * 1103515245 + 12345) % 2 ** 31; return seed % n; };
    for (let i = 0; i < 200; i++) {
      const bytes = Buffer.from(SYFT_SPDX);
      for (let k = 0; k < 1 + random(8); k++) bytes[random(bytes.length)] = random(256);
      const cut = random(3) === 0 ? bytes.subarray(0, random(bytes.length)) : bytes;
      const r = await run(cut);
      expect(typeof r.valid).toBe('boolean');
      if (r.error) expect(['MALFORMED_JSON', 'INVALID_DOCUMENT', 'UNSUPPORTED_VERSION', 'UNSUPPORTED_FORMAT', 'DOCUMENT_TOO_DEEP']).toContain(r.error.code);
    }
  });
});
