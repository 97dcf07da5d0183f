import type { Verifier, VerifierFactory, VerifierResult } from '../verifier.js';
import { verifierResult } from '../verifier.js';
import { checkSignatureRequirement, signatureDetails, type SignatureRequirementOutcome } from '../document/check-signature-requirement.js';
import { clip } from '../document/clip.js';
import { findSbomViolations, type SbomViolation } from './find-sbom-violations.js';
import { parseSbomOptions } from './parse-sbom-options.js';
import { readSbomDocument } from './read-sbom-document.js';
import { SbomError } from './sbom-error.js';
import { stableHash } from '../document/stable-hash.js';
import { summarizeFailures } from '../document/summarize-failures.js';

/** At most this many violations are listed in `details.violations` (`violationCount` has them all). */
export const MAX_LISTED_VIOLATIONS = 100;

/**
 * The `sbom` verifier (SPEC "Verifiers"; reference: docs/verifiers/sbom.md): SPDX 2.2/2.3 and
 * CycloneDX 1.4–1.7 JSON documents attached to the image, checked for disallowed licenses
 * (through SPDX license expressions), disallowed packages (name or PURL, semver range) and
 * maximum age; optionally the SBOM itself must be signed (`requireSignature`), which the
 * pipeline checks through `nestedRequirement` and hands over as `ctx.nested`.
 * Pure: reads the bytes it is given, no I/O; never throws from `verify`.
 */
export const createSbomVerifier: VerifierFactory = async (entry, path) => {
  const options = parseSbomOptions(entry, path);
  const hash = stableHash(options);
  const requirement = options.requireSignature;

  const verifier: Verifier = {
    name: options.name,
    type: 'sbom',
    artifactTypes: options.artifactTypes,
    nestedRequirement: requirement,
    configHash: () => hash,
    async verify(_subject, artifact, ctx): Promise<VerifierResult> {
      const nested = ctx.nested;
      const signature = requirement ? checkSignatureRequirement(requirement, nested) : undefined;
      const signatureInfo = signature ? { signature: signatureDetails(signature) } : {};
      try {
        const doc = readSbomDocument(artifact, options);
        const violations = findSbomViolations(doc, options, ctx.now);
        const details = {
          format: doc.format,
          specVersion: doc.specVersion,
          creationTime: doc.created?.toISOString() ?? null,
          creators: doc.creators.slice(0, 20).map((c) => clip(c)),
          packageCount: doc.packages.length,
          violationCount: violations.length,
          violations: violations.slice(0, MAX_LISTED_VIOLATIONS),
          ...signatureInfo,
        };
        const valid = violations.length === 0 && (signature?.satisfied ?? true);
        const what = `SBOM (${doc.format === 'spdx' ? 'SPDX' : 'CycloneDX'} ${clip(doc.specVersion, 16)}, ${doc.packages.length} packages)`;
        const message = valid
          ? `${what} meets the policy${signature ? `, signed (${signature.trustedBy.join(', ')})` : ''}`
          : failureMessage(violations, signature);
        const expiresAt = valid && options.maximumAge && doc.created ? new Date(doc.created.getTime() + options.maximumAge.ms).toISOString() : undefined;
        return verifierResult(verifier, artifact, { valid, message, details, nested, ...(expiresAt ? { expiresAt } : {}) });
      } catch (cause) {
        const error = cause instanceof SbomError ? cause : new SbomError('INTERNAL', `unexpected failure: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
        return verifierResult(verifier, artifact, {
          valid: false,
          message: `SBOM could not be evaluated: ${error.message}`,
          details: { ...signatureInfo },
          nested,
          error: { code: error.code, message: error.message },
        });
      }
    },
  };
  return verifier;
};

function failureMessage(violations: readonly SbomViolation[], signature: SignatureRequirementOutcome | undefined): string {
  const parts: string[] = [];
  if (signature && !signature.satisfied) parts.push(`SBOM is not signed by a trusted signer: ${signature.reason ?? ''}`);
  if (violations.length > 0) parts.push(`SBOM has ${summarizeFailures(violations.map((v) => v.message), 'violation')}`);
  return parts.join('; ');
}
