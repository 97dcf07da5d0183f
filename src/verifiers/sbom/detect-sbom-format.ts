import { CYCLONEDX_JSON, SPDX_JSON } from '../../oci/media-types.js';
import { SbomError } from './sbom-error.js';
import type { SbomFormat } from './sbom-document.js';
import { baseMediaType } from '../document/select-document-blob.js';

/**
 * Which format a parsed document is in. The content decides (SPDX 2 has `spdxVersion`,
 * CycloneDX has `bomFormat: "CycloneDX"`); the media type is used when the content does not
 * say, and a media type that contradicts the content is refused (`FORMAT_MISMATCH`): a
 * document that lies about what it is should not be half-trusted.
 */
export function detectSbomFormat(mediaType: string | undefined, value: unknown): SbomFormat {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new SbomError('INVALID_DOCUMENT', 'the SBOM is not a JSON object');
  }
  const doc = value as Record<string, unknown>;
  const sniffed: SbomFormat | undefined = 'spdxVersion' in doc ? 'spdx' : doc.bomFormat === 'CycloneDX' ? 'cyclonedx' : undefined;
  const base = baseMediaType(mediaType);
  const declared: SbomFormat | undefined = base === SPDX_JSON ? 'spdx' : base === CYCLONEDX_JSON ? 'cyclonedx' : undefined;
  if (sniffed && declared && sniffed !== declared) {
    throw new SbomError('FORMAT_MISMATCH', `the layer media type is ${base} but the document is ${sniffed === 'spdx' ? 'SPDX' : 'CycloneDX'}`);
  }
  if (!sniffed && '@context' in doc) {
    throw new SbomError('UNSUPPORTED_FORMAT', 'the document is neither SPDX 2 JSON nor CycloneDX JSON (SPDX 3 JSON-LD is not supported)');
  }
  const format = sniffed ?? declared;
  if (format) return format;
  throw new SbomError('UNSUPPORTED_FORMAT', 'the document is neither SPDX 2 JSON nor CycloneDX JSON');
}
