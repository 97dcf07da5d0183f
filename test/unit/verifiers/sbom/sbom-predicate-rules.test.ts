/**
 * The sbom verifier's rules on SBOM predicates of attestations (sbomRules of the cosign and
 * intoto verifiers): the same verdicts as on an SBOM referrer, for SPDX and CycloneDX.
 */
import { describe, expect, it } from '@jest/globals';
import { sbomRulesOption, checkSbomPredicate } from '../../../../src/verifiers/sbom/sbom-predicate-rules.js';

const rules = sbomRulesOption.parse({ disallowedLicenses: ['GPL-3.0-only'], disallowedPackages: [{ name: 'pkg:npm/left-pad', version: '<1.4.0' }] })!;
const now = new Date('2026-06-01T00:00:00Z');
const spdx = (license: string) => ({
  spdxVersion: 'SPDX-2.3', creationInfo: { created: '2026-01-01T00:00:00Z', creators: ['Tool: t'] },
  packages: [{ name: 'libx', versionInfo: '1.0.0', licenseConcluded: license }],
});
const cyclonedx = {
  bomFormat: 'CycloneDX', specVersion: '1.6', metadata: { timestamp: '2026-01-01T00:00:00Z' },
  components: [{ type: 'library', name: 'left-pad', version: '1.3.0', purl: 'pkg:npm/left-pad@1.3.0', licenses: [{ license: { id: 'WTFPL' } }] }],
};

describe('checkSbomPredicate', () => {
  it('uses SPDX expression semantics: a choice without the denied licence is allowed, a conjunction is not', () => {
    expect(checkSbomPredicate('https://spdx.dev/Document', spdx('MIT OR GPL-3.0-only'), rules, now)).toMatchObject({ format: 'spdx', violationCount: 0 });
    const r = checkSbomPredicate('https://spdx.dev/Document/v2.3', spdx('MIT AND GPL-3.0-only'), rules, now);
    expect(r).toMatchObject({ violationCount: 1, violations: [{ kind: 'license', package: 'libx', disallowed: ['GPL-3.0-only'] }] });
  });

  it('applies the package rules (PURL and version range) to CycloneDX predicates', () => {
    expect(checkSbomPredicate('https://cyclonedx.org/bom', cyclonedx, rules, now)).toMatchObject({
      format: 'cyclonedx', specVersion: '1.6', packageCount: 1, violations: [{ kind: 'package', package: 'left-pad', rule: 'pkg:npm/left-pad <1.4.0' }],
    });
  });

  it('leaves other predicate types alone', () => {
    expect(checkSbomPredicate('https://slsa.dev/provenance/v1', spdx('GPL-3.0-only'), rules, now)).toBeUndefined();
    expect(checkSbomPredicate(undefined, spdx('GPL-3.0-only'), rules, now)).toBeUndefined();
  });

  it('reports a predicate that is no SBOM of its type as an error, never throwing', () => {
    expect(checkSbomPredicate('https://spdx.dev/Document', { spdxVersion: 'SPDX-3.0' }, rules, now)).toEqual({ error: expect.objectContaining({ code: 'UNSUPPORTED_VERSION' }) });
    expect(checkSbomPredicate('https://cyclonedx.org/bom', 'text', rules, now)).toEqual({ error: expect.objectContaining({ code: expect.any(String) }) });
  });
});
