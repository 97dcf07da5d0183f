/**
 * Shared OCI shapes and the small content ports (after oras-go v2's content interfaces).
 * Spec: https://github.com/opencontainers/image-spec/blob/v1.1.0/descriptor.md
 *       https://github.com/opencontainers/distribution-spec/blob/v1.1.0/spec.md
 */

/**
 * A parsed image reference. `registry` and `repository` are the canonical identity
 * (./registry-identity.ts): every scope, exclusion, credential, cache key and metric compares
 * them, never `original`.
 */
export interface ImageRef {
  /** As the user wrote it, e.g. `nginx:1.27`. Mutation keeps this spelling. */
  readonly original: string;
  /** Canonical registry host[:port]: `docker.io` (for every Hub alias), `ghcr.io`, `127.0.0.1:5000`; lower-case, no `:443`. */
  readonly registry: string;
  /** Repository path, canonical: `library/nginx` for `nginx` on Docker Hub. */
  readonly repository: string;
  readonly tag?: string | undefined;
  readonly digest?: string | undefined;
}

export interface Platform {
  readonly os: string;
  readonly architecture: string;
  readonly variant?: string | undefined;
}

export interface Descriptor {
  readonly mediaType: string;
  readonly digest: string;
  readonly size: number;
  readonly artifactType?: string | undefined;
  readonly annotations?: Readonly<Record<string, string>> | undefined;
  readonly platform?: Platform | undefined;
}

/** OCI image manifest (also used for artifacts, signatures and Cosign `.sig` manifests). */
export interface ImageManifest {
  readonly schemaVersion: 2;
  readonly mediaType?: string;
  readonly artifactType?: string;
  readonly config: Descriptor;
  readonly layers: readonly Descriptor[];
  readonly subject?: Descriptor;
  readonly annotations?: Readonly<Record<string, string>>;
}

export interface ImageIndex {
  readonly schemaVersion: 2;
  readonly mediaType?: string;
  readonly artifactType?: string;
  readonly manifests: readonly Descriptor[];
  readonly subject?: Descriptor;
  readonly annotations?: Readonly<Record<string, string>>;
}

/** Bytes fetched from a registry, already checked against `descriptor.digest` and size-capped. */
export interface FetchedContent {
  readonly descriptor: Descriptor;
  readonly bytes: Uint8Array;
  /**
   * Gives back the registry byte budget these bytes are held against (idempotent; see
   * src/oci/create-request-limits.ts). Call it when done with the bytes; the end of the
   * admission request releases them anyway.
   */
  readonly release?: (() => void) | undefined;
}

/** Releases the byte budget of each content (those without one are skipped). */
export function releaseContent(contents: Iterable<FetchedContent | undefined>): void {
  for (const c of contents) c?.release?.();
}

/** Resolves a reference (tag or digest) to the descriptor of its manifest. */
export interface Resolver {
  resolve(ref: ImageRef, signal: AbortSignal): Promise<Descriptor>;
}

/**
 * Where a listed referrer was found. Set by our lister (src/oci/referrers.ts) from the request
 * it made, never parsed from a registry answer: a listing is writable by anyone who can push to
 * the repository, so nothing in it may carry a flag of ours (docs/validation.md "The trust boundary").
 */
export type ReferrerSource = 'referrers-api' | 'tag-schema' | 'cosign-tag';

/**
 * One entry of a referrer listing. `descriptor` is untrusted input, as the registry listed it
 * (its digest is checked when the manifest is fetched; its annotations and artifactType are
 * hints only). For `cosign-tag` entries the descriptor is the tag's manifest as the registry
 * resolved it, with the legacy Cosign artifact type of the tag we asked for.
 */
export interface ListedReferrer {
  readonly descriptor: Descriptor;
  readonly source: ReferrerSource;
}

export interface ListReferrersOptions {
  /** Only entries of this artifact type (filtered by the client, never by the registry). */
  readonly artifactType?: string | undefined;
  /**
   * Read Cosign's legacy `sha256-<hex>.sig` / `.att` tags too (default true). The pipeline turns
   * it off when no configured verifier handles their artifact types: their answer could change
   * nothing, so the two requests per subject are not sent.
   */
  readonly cosignTags?: boolean | undefined;
}

/** Lists the referrers of a manifest: referrers API, then the tag schema, then Cosign tags. */
export interface ReferrerLister {
  listReferrers(ref: ImageRef, subject: Descriptor, signal: AbortSignal, options?: ListReferrersOptions): Promise<ListedReferrer[]>;
}

/** Fetches manifests and blobs by descriptor; every body digest-checked and size-capped. */
export interface ContentFetcher {
  fetchManifest(ref: ImageRef, descriptor: Descriptor, signal: AbortSignal): Promise<FetchedContent>;
  fetchBlob(ref: ImageRef, descriptor: Descriptor, signal: AbortSignal): Promise<FetchedContent>;
}

/** Everything the validation pipeline needs from a registry. */
export interface RegistryClient extends Resolver, ReferrerLister, ContentFetcher {}

/** Registry credentials. Never logged, never stored in plain text outside process memory. */
export type Credential =
  | { readonly kind: 'basic'; readonly username: string; readonly password: string }
  /** An identity/refresh token (docker config `identitytoken`), exchanged at the token realm. */
  | { readonly kind: 'identityToken'; readonly token: string }
  /** A bearer token used as is. */
  | { readonly kind: 'bearer'; readonly token: string };

/** Whose pull credentials apply: a pod's namespace, service account and imagePullSecrets. */
export interface CredentialScope {
  readonly namespace?: string | undefined;
  readonly serviceAccountName?: string | undefined;
  readonly imagePullSecrets?: readonly string[] | undefined;
}

/** A source of credentials (config, docker config.json, Kubernetes pull secrets); chained in order. */
export interface CredentialProvider {
  credentialsFor(registry: string, scope: CredentialScope, signal: AbortSignal): Promise<Credential | undefined>;
}

/** A registry client whose calls use the credentials of one scope (e.g. one pod's pull secrets). */
export interface ScopedRegistryClient extends RegistryClient {
  withCredentialScope(scope: CredentialScope): RegistryClient;
}
