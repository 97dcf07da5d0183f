/** Media and artifact types Portcullis recognises. Spec links beside each group. */

// https://github.com/opencontainers/image-spec/blob/v1.1.0/media-types.md
export const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
export const OCI_INDEX = 'application/vnd.oci.image.index.v1+json';
export const OCI_EMPTY = 'application/vnd.oci.empty.v1+json';
// https://distribution.github.io/distribution/spec/manifest-v2-2/
export const DOCKER_MANIFEST = 'application/vnd.docker.distribution.manifest.v2+json';
export const DOCKER_MANIFEST_LIST = 'application/vnd.docker.distribution.manifest.list.v2+json';

export const MANIFEST_ACCEPT = [OCI_MANIFEST, OCI_INDEX, DOCKER_MANIFEST, DOCKER_MANIFEST_LIST] as const;
export const INDEX_MEDIA_TYPES: readonly string[] = [OCI_INDEX, DOCKER_MANIFEST_LIST];

// https://github.com/notaryproject/specifications/blob/v1.1.0/specs/signature-specification.md
export const NOTATION_SIGNATURE = 'application/vnd.cncf.notary.signature';
export const JWS_ENVELOPE = 'application/jose+json';
export const COSE_ENVELOPE = 'application/cose';

// Cosign: legacy signatures stored at the `sha256-<hex>.sig` tag are reported by the
// referrer lister with this artifact type (the one cosign itself uses for OCI 1.1 referrers),
// attestations at `.att` with the next one.
export const COSIGN_LEGACY_SIGNATURE = 'application/vnd.dev.cosign.artifact.sig.v1+json';
export const COSIGN_LEGACY_ATTESTATION = 'application/vnd.dev.cosign.artifact.att.v1+json';
export const COSIGN_SIMPLESIGNING_LAYER = 'application/vnd.dev.cosign.simplesigning.v1+json';
// https://github.com/sigstore/protobuf-specs (bundle media types)
export const SIGSTORE_BUNDLE_V03 = 'application/vnd.dev.sigstore.bundle.v0.3+json';
export const SIGSTORE_BUNDLE_TYPES: readonly string[] = [
  SIGSTORE_BUNDLE_V03,
  'application/vnd.dev.sigstore.bundle+json;version=0.3',
  'application/vnd.dev.sigstore.bundle+json;version=0.2',
  'application/vnd.dev.sigstore.bundle+json;version=0.1',
];

// SBOMs and vulnerability reports.
export const SPDX_JSON = 'application/spdx+json';
export const CYCLONEDX_JSON = 'application/vnd.cyclonedx+json';
export const SARIF_JSON = 'application/sarif+json';
