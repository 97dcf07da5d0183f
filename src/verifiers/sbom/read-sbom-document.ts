import { JsonError } from '../../shared/json/json-error.js';
import { parseBoundedJson } from '../../shared/json/parse-bounded-json.js';
import type { ReferrerArtifact } from '../verifier.js';
import { detectSbomFormat } from './detect-sbom-format.js';
import { parseCycloneDxDocument } from './parse-cyclonedx-document.js';
import { parseSpdxDocument } from './parse-spdx-document.js';
import { SbomError, type SbomErrorCode } from './sbom-error.js';
import type { SbomDocument } from './sbom-document.js';
import { selectDocumentBlob } from '../document/select-document-blob.js';

const JSON_CODES: Readonly<Record<JsonError['code'], SbomErrorCode>> = {
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
  const blob = selectDocumentBlob(artifact, options.artifactTypes);
  if (!blob) {
    const types = artifact.blobs.map((b) => b.descriptor.mediaType).join(', ') || 'none';
    throw new SbomError('NO_DOCUMENT', `the referrer has no SBOM layer (${options.artifactTypes.join(', ')}); its layers: ${types}`);
  }
  let value: unknown;
  try {
    value = parseBoundedJson(blob.bytes, { maxBytes: options.maxDocumentBytes, maxDepth: options.maxDocumentDepth });
  } catch (cause) {
    if (cause instanceof JsonError) throw new SbomError(JSON_CODES[cause.code], cause.message, { cause });
    throw cause;
  }
  return detectSbomFormat(blob.descriptor.mediaType, value) === 'spdx' ? parseSpdxDocument(value) : parseCycloneDxDocument(value);
}
