import type { ReferrerArtifact } from '../verifier.js';
import { readDocumentJson, type DocumentReadFailure } from '../document/read-document-json.js';
import { detectSbomFormat } from './detect-sbom-format.js';
import { parseCycloneDxDocument } from './parse-cyclonedx-document.js';
import { parseSpdxDocument } from './parse-spdx-document.js';
import { SbomError, type SbomErrorCode } from './sbom-error.js';
import type { SbomDocument } from './sbom-document.js';

const READ_CODES: Readonly<Record<DocumentReadFailure, SbomErrorCode>> = {
  NO_DOCUMENT: 'NO_DOCUMENT',
  TOO_LARGE: 'DOCUMENT_TOO_LARGE',
  TOO_DEEP: 'DOCUMENT_TOO_DEEP',
  INVALID_UTF8: 'MALFORMED_JSON',
  INVALID_JSON: 'MALFORMED_JSON',
};

/**
 * Finds the SBOM among the referrer's layers and reads it within the limits.
 * Throws `SbomError` for anything that keeps it from being evaluated.
 */
export function readSbomDocument(
  artifact: ReferrerArtifact,
  options: { readonly artifactTypes: readonly string[]; readonly maxDocumentBytes: number; readonly maxDocumentDepth: number },
): SbomDocument {
  const { descriptor, value } = readDocumentJson(artifact, options, 'SBOM', (kind, message, cause) => new SbomError(READ_CODES[kind], message, { cause }));
  return detectSbomFormat(descriptor.mediaType, value) === 'spdx' ? parseSpdxDocument(value) : parseCycloneDxDocument(value);
}
