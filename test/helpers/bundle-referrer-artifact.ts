/** Builds a Sigstore-bundle referrer (as `cosign sign --new-bundle-format` pushes it) in memory. */
import { createHash } from 'node:crypto';
import { SIGSTORE_BUNDLE_V03, OCI_EMPTY, OCI_MANIFEST } from '../../src/oci/media-types.js';
import type { Descriptor } from '../../src/oci/types.js';
import type { ReferrerArtifact } from '../../src/verifiers/verifier.js';

function sha256(bytes: Uint8Array): string {
  return `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
}

export function bundleReferrerArtifact(bundle: Buffer, subjectDigest: string, artifactType: string | undefined = SIGSTORE_BUNDLE_V03): ReferrerArtifact {
  const layer: Descriptor = { mediaType: SIGSTORE_BUNDLE_V03, digest: sha256(bundle), size: bundle.length };
  const manifest = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: OCI_MANIFEST,
      artifactType: SIGSTORE_BUNDLE_V03,
      config: { mediaType: OCI_EMPTY, digest: sha256(Buffer.from('{}')), size: 2 },
      layers: [layer],
      subject: { mediaType: OCI_MANIFEST, digest: subjectDigest, size: 500 },
    }),
  );
  const descriptor: Descriptor = { mediaType: OCI_MANIFEST, digest: sha256(manifest), size: manifest.length, ...(artifactType ? { artifactType } : {}) };
  return { descriptor, manifest: { descriptor, bytes: manifest }, blobs: [{ descriptor: layer, bytes: bundle }] };
}
