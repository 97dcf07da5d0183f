import { CodedError } from '../../shared/coded-error.js';

/**
 * Why an SBOM could not be evaluated at all. These surface as the result's `error.code`
 * (verification could not be carried out), never as exceptions out of `verify`.
 */
export type SbomErrorCode =
  /** No layer of the referrer carries an SBOM media type (nor sniffs as one). */
  | 'NO_DOCUMENT'
  | 'DOCUMENT_TOO_LARGE'
  | 'DOCUMENT_TOO_DEEP'
  /** Not UTF-8 or not JSON (truncated, garbage). */
  | 'MALFORMED_JSON'
  /** JSON, but neither SPDX nor CycloneDX (e.g. SPDX 3 JSON-LD, an unrelated document). */
  | 'UNSUPPORTED_FORMAT'
  /** SPDX other than 2.2/2.3, CycloneDX other than 1.4–1.7. */
  | 'UNSUPPORTED_VERSION'
  /** The media type names one format and the document is the other. */
  | 'FORMAT_MISMATCH'
  /** The right format with fields of the wrong type or missing required fields. */
  | 'INVALID_DOCUMENT'
  /** A bug: something threw that should not have. */
  | 'INTERNAL';

export class SbomError extends CodedError<SbomErrorCode> {}
