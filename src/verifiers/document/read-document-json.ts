import { JsonError } from '../../shared/json/json-error.js';
import { parseBoundedJson } from '../../shared/json/parse-bounded-json.js';
import type { Descriptor } from '../../oci/types.js';
import type { ReferrerArtifact } from '../verifier.js';
import { selectDocumentBlob } from './select-document-blob.js';

/** Why a document could not be read: no matching layer, or one of the bounded parser's codes. */
export type DocumentReadFailure = 'NO_DOCUMENT' | JsonError['code'];

/**
 * Finds the document among the referrer's layers and parses it within the size and depth
 * limits (hostile bytes: checked before and while parsing). `fail` turns each failure into the
 * caller's coded error, which is thrown.
 */
export function readDocumentJson(
  artifact: ReferrerArtifact,
  options: { readonly artifactTypes: readonly string[]; readonly maxDocumentBytes: number; readonly maxDocumentDepth: number },
  noun: string,
  fail: (kind: DocumentReadFailure, message: string, cause?: unknown) => Error,
): { readonly descriptor: Descriptor; readonly value: unknown } {
  const blob = selectDocumentBlob(artifact, options.artifactTypes);
  if (!blob) {
    const types = artifact.blobs.map((b) => b.descriptor.mediaType).join(', ') || 'none';
    throw fail('NO_DOCUMENT', `the referrer has no ${noun} layer (${options.artifactTypes.join(', ')}); its layers: ${types}`);
  }
  try {
    return { descriptor: blob.descriptor, value: parseBoundedJson(blob.bytes, { maxBytes: options.maxDocumentBytes, maxDepth: options.maxDocumentDepth }) };
  } catch (cause) {
    if (cause instanceof JsonError) throw fail(cause.code, cause.message, cause);
    throw cause;
  }
}
