/** Builds Cosign `.sig` referrer artifacts in memory, as the validation pipeline would hand them over. */
import { createHash } from 'node:crypto';
import type { Descriptor } from '../../src/oci/types.js';
import { COSIGN_LEGACY_ATTESTATION, COSIGN_LEGACY_SIGNATURE, COSIGN_SIMPLESIGNING_LAYER, OCI_MANIFEST } from '../../src/oci/media-types.js';
import type { ReferrerArtifact } from '../../src/verifiers/verifier.js';

export interface LegacyLayerInput {
  readonly payload: Buffer;
  readonly annotations: Record<string, string>;
}

function sha256(bytes: Uint8Array): string {
  return `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
}

/** The simple-signing payload `cosign sign` writes for `reference@digest`. */
export function simpleSigningPayload(digest: string, reference = 'registry.test/app'): Buffer {
  return Buffer.from(
    JSON.stringify({
      critical: { identity: { 'docker-reference': reference }, image: { 'docker-manifest-digest': digest }, type: 'cosign container image signature' },
      optional: null,
    }),
  );
}

/**
 * A `.sig` manifest with one simple-signing layer per input, plus its blobs, as a ReferrerArtifact;
 * with `kind: 'att'`, a `.att` manifest whose layers are DSSE envelopes.
 */
export function legacySigArtifact(layers: readonly LegacyLayerInput[], kind: 'sig' | 'att' = 'sig'): ReferrerArtifact {
  const mediaType = kind === 'att' ? 'application/vnd.dsse.envelope.v1+json' : COSIGN_SIMPLESIGNING_LAYER;
  const layerDescriptors: Descriptor[] = layers.map((l) => ({ mediaType, digest: sha256(l.payload), size: l.payload.length, annotations: l.annotations }));
  const config = Buffer.from('{}');
  const manifest = Buffer.from(
    JSON.stringify({ schemaVersion: 2, mediaType: OCI_MANIFEST, config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: sha256(config), size: config.length }, layers: layerDescriptors }),
  );
  const descriptor: Descriptor = { mediaType: OCI_MANIFEST, digest: sha256(manifest), size: manifest.length, artifactType: kind === 'att' ? COSIGN_LEGACY_ATTESTATION : COSIGN_LEGACY_SIGNATURE };
  return {
    descriptor,
    manifest: { descriptor, bytes: manifest },
    blobs: layers.map((l, i) => ({ descriptor: layerDescriptors[i] as Descriptor, bytes: l.payload })),
  };
}

/** A manifest from the registry plus the blobs of its layers, as the pipeline builds a ReferrerArtifact. */
export function referrerArtifactFrom(manifestBytes: Buffer, blobs: readonly Buffer[], artifactType: string): ReferrerArtifact {
  const manifest = JSON.parse(manifestBytes.toString('utf8')) as { mediaType?: string; layers: Descriptor[] };
  const descriptor: Descriptor = { mediaType: manifest.mediaType ?? OCI_MANIFEST, digest: sha256(manifestBytes), size: manifestBytes.length, artifactType };
  return {
    descriptor,
    manifest: { descriptor, bytes: manifestBytes },
    blobs: blobs.map((bytes, i) => ({ descriptor: manifest.layers[i] as Descriptor, bytes })),
  };
}
