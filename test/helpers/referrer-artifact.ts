/**
 * Builds a ReferrerArtifact (manifest + layer blobs, digests computed) the way the validation
 * pipeline hands one to a verifier, for unit tests of document verifiers.
 */
import { createHash } from 'node:crypto';
import { OCI_EMPTY, OCI_MANIFEST } from '../../src/oci/media-types.js';
import type { Descriptor, FetchedContent } from '../../src/oci/types.js';
import type { ReferrerArtifact } from '../../src/verifiers/verifier.js';

export interface ArtifactLayer {
  readonly mediaType: string;
  readonly bytes: Uint8Array | string;
}

export function referrerArtifact(options: {
  artifactType: string;
  layers: readonly ArtifactLayer[];
  /** Annotations written in the manifest (and copied to the listed descriptor, as the referrers API does). */
  annotations?: Record<string, string>;
  /** Annotations of the listed descriptor only, when they should differ from the manifest's. */
  descriptorAnnotations?: Record<string, string>;
}): ReferrerArtifact {
  const blobs: FetchedContent[] = options.layers.map((l) => {
    const bytes = typeof l.bytes === 'string' ? new TextEncoder().encode(l.bytes) : l.bytes;
    return { descriptor: { mediaType: l.mediaType, digest: sha256(bytes), size: bytes.byteLength }, bytes };
  });
  const manifestJson = {
    schemaVersion: 2,
    mediaType: OCI_MANIFEST,
    artifactType: options.artifactType,
    config: { mediaType: OCI_EMPTY, digest: sha256(new TextEncoder().encode('{}')), size: 2 },
    layers: blobs.map((b) => b.descriptor),
    ...(options.annotations ? { annotations: options.annotations } : {}),
  };
  const manifestBytes = new TextEncoder().encode(JSON.stringify(manifestJson));
  const annotations = options.descriptorAnnotations ?? options.annotations;
  const descriptor: Descriptor = {
    mediaType: OCI_MANIFEST,
    digest: sha256(manifestBytes),
    size: manifestBytes.byteLength,
    artifactType: options.artifactType,
    ...(annotations ? { annotations } : {}),
  };
  return { descriptor, manifest: { descriptor, bytes: manifestBytes }, blobs };
}

export function sha256(bytes: Uint8Array): string {
  return `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
}
