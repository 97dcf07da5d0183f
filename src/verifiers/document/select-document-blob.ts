import type { FetchedContent } from '../../oci/types.js';
import type { ReferrerArtifact } from '../verifier.js';

/** `application/vnd.cyclonedx+json; version=1.5` → `application/vnd.cyclonedx+json`. */
export function baseMediaType(mediaType: string | undefined): string {
  return (mediaType ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
}

/**
 * The layer holding the document: the first one whose media type is one of `mediaTypes`;
 * failing that, when the referrer's artifact type is one of them, its first layer (`oras attach`
 * without `file:type` writes layers as `application/vnd.oci.image.layer.v1.tar`; the caller then
 * identifies the document by its content). Undefined when the referrer has no such layer.
 */
export function selectDocumentBlob(artifact: ReferrerArtifact, mediaTypes: readonly string[]): FetchedContent | undefined {
  const wanted = new Set(mediaTypes.map(baseMediaType));
  const byLayer = artifact.blobs.find((b) => wanted.has(baseMediaType(b.descriptor.mediaType)));
  if (byLayer) return byLayer;
  return wanted.has(baseMediaType(artifact.descriptor.artifactType)) ? artifact.blobs[0] : undefined;
}
