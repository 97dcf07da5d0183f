import type { VerifierFactory } from '../verifier.js';
import { clip } from '../document/clip.js';
import { createDocumentVerifier, unexpectedFailure } from '../document/create-document-verifier.js';
import { stableHash } from '../document/stable-hash.js';
import { findSbomViolations } from './find-sbom-violations.js';
import { parseSbomOptions } from './parse-sbom-options.js';
import { readSbomDocument } from './read-sbom-document.js';
import { SbomError } from './sbom-error.js';

export { MAX_LISTED_VIOLATIONS } from '../document/create-document-verifier.js';

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
  return createDocumentVerifier({
    name: options.name,
    type: 'sbom',
    artifactTypes: options.artifactTypes,
    configHash: stableHash(options),
    requirement: options.requireSignature,
    maximumAgeMs: options.maximumAge?.ms,
    noun: 'SBOM',
    evaluate(artifact, now) {
      const doc = readSbomDocument(artifact, options);
      return {
        what: `SBOM (${doc.format === 'spdx' ? 'SPDX' : 'CycloneDX'} ${clip(doc.specVersion, 16)}, ${doc.packages.length} packages)`,
        violations: findSbomViolations(doc, options, now),
        created: doc.created,
        details: {
          format: doc.format,
          specVersion: doc.specVersion,
          creationTime: doc.created?.toISOString() ?? null,
          creators: doc.creators.slice(0, 20).map((c) => clip(c)),
          packageCount: doc.packages.length,
        },
      };
    },
    toError: (cause) => (cause instanceof SbomError ? cause : new SbomError('INTERNAL', unexpectedFailure(cause), { cause })),
  });
};
