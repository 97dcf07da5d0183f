/**
 * The `sbom` verifier's licence and package rules applied to SBOM predicates of verified
 * in-toto attestations (SPDX 2.x JSON and CycloneDX JSON, as `cosign attest --type spdxjson |
 * cyclonedx` or BuildKit put them): the same parsers and the same SPDX licence-expression
 * semantics as for SBOM referrers (docs/verifiers/sbom.md), so a policy can decide on
 * `details.attestations[].sbom` exactly as on an `sbom` result. Pure.
 */
import { z } from 'zod';
import { clip } from '../document/clip.js';
import { MAX_LISTED_VIOLATIONS } from '../document/create-document-verifier.js';
import { findSbomViolations, type SbomRules } from './find-sbom-violations.js';
import { disallowedLicenseNames, sbomRuleFields } from './parse-sbom-options.js';
import { parseCycloneDxDocument } from './parse-cyclonedx-document.js';
import { parseSpdxDocument } from './parse-spdx-document.js';
import { SbomError } from './sbom-error.js';

/** The predicate types of SPDX 2 and CycloneDX documents (policies/attestations.rego has the same sets). */
export const SPDX_PREDICATE_TYPES: ReadonlySet<string> = new Set(['https://spdx.dev/Document', 'https://spdx.dev/Document/v2.2', 'https://spdx.dev/Document/v2.3']);
export const CYCLONEDX_PREDICATE_TYPES: ReadonlySet<string> = new Set([
  'https://cyclonedx.org/bom', 'https://cyclonedx.org/bom/v1.4', 'https://cyclonedx.org/bom/v1.5', 'https://cyclonedx.org/bom/v1.6', 'https://cyclonedx.org/bom/v1.7',
]);

/** `sbomRules` of an attestation verifier: absent, no SBOM predicate is evaluated. */
export const sbomRulesOption = z
  .strictObject(sbomRuleFields)
  .transform((r): SbomRules => ({ disallowedLicenseNames: disallowedLicenseNames(r.disallowedLicenses), disallowedPackages: r.disallowedPackages }))
  .optional();

export type SbomPredicateCheck =
  | { readonly format: 'spdx' | 'cyclonedx'; readonly specVersion: string; readonly packageCount: number; readonly violationCount: number; readonly violations: readonly unknown[] }
  | { readonly error: { readonly code: string; readonly message: string } };

/** The rules' verdict on a predicate of an SBOM type; undefined for any other predicate type. */
export function checkSbomPredicate(predicateType: string | undefined, predicate: unknown, rules: SbomRules, now: Date): SbomPredicateCheck | undefined {
  const spdx = SPDX_PREDICATE_TYPES.has(predicateType ?? '');
  if (!spdx && !CYCLONEDX_PREDICATE_TYPES.has(predicateType ?? '')) return undefined;
  try {
    const doc = spdx ? parseSpdxDocument(predicate) : parseCycloneDxDocument(predicate);
    const violations = findSbomViolations(doc, rules, now);
    return { format: doc.format, specVersion: clip(doc.specVersion, 16), packageCount: doc.packages.length, violationCount: violations.length, violations: violations.slice(0, MAX_LISTED_VIOLATIONS) };
  } catch (err) {
    const e = err instanceof SbomError ? err : new SbomError('INVALID_DOCUMENT', (err as Error).message);
    return { error: { code: e.code, message: clip(e.message, 300) } };
  }
}
