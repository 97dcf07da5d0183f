/**
 * The verifier contract. A verifier takes bytes already fetched from the registry and returns
 * a result for the policy; it never does registry I/O (the validation pipeline fetches).
 * Results are one shape for every type so the Rego policy can treat them alike
 * (SPEC "Policy" input `results[]`).
 */
import type { Logger } from 'pino';
import type { Descriptor, FetchedContent, Platform } from '../oci/types.js';
import type { TrustMaterialSource } from '../trust/types.js';
import type { RevocationEvent } from './notation/revocation/check-chain-revocation.js';
import type { RevocationFetcher } from './notation/revocation/revocation-fetcher.js';

export type VerifierType = 'notation' | 'cosign' | 'sbom' | 'vulnerabilityreport' | 'intoto';

/** The image (or, for nested checks, the artifact) being verified. */
export interface Subject {
  /** Digest-pinned reference, e.g. `ghcr.io/org/app:1.0@sha256:…`. */
  readonly reference: string;
  readonly registry: string;
  readonly repository: string;
  readonly tag?: string | undefined;
  readonly digest: string;
  readonly mediaType: string;
  readonly size: number;
  readonly platform?: Platform | undefined;
}

/** A referrer of the subject, with its manifest and (size-capped, digest-checked) layer blobs. */
export interface ReferrerArtifact {
  /** The referrer: its digest, artifact type, and media type and annotations from its own (digest-checked) manifest, never a listing's. */
  readonly descriptor: Descriptor;
  readonly manifest: FetchedContent;
  /** Layers (blobs) of the referrer manifest, in manifest order. */
  readonly blobs: readonly FetchedContent[];
}

export interface VerifierResult {
  readonly verifier: string;
  readonly type: VerifierType;
  readonly artifactType: string;
  readonly referrer: { readonly digest: string; readonly mediaType: string; readonly annotations: Readonly<Record<string, string>> };
  readonly valid: boolean;
  /** One line a person can act on. */
  readonly message: string;
  /** Per-type details, documented in docs/verifiers.md. */
  readonly details: Readonly<Record<string, unknown>>;
  /**
   * When a valid result stops holding by itself (a signature or certificate expiring, a
   * document reaching its maximum age), as an RFC 3339 time. The pipeline never caches a
   * result past it.
   */
  readonly expiresAt?: string | undefined;
  /** Results of verifying this artifact's own referrers (e.g. a signature on an SBOM). */
  readonly nested: readonly VerifierResult[];
  /**
   * Why the result is not valid, as a stable code plus message: a failed check (e.g.
   * `UNTRUSTED_CHAIN`) or verification that could not be carried out. Policies decide on
   * `valid`; `error.code` tells them (and people) which check failed.
   */
  readonly error?: { readonly code: string; readonly message: string } | undefined;
}

export interface VerifyContext {
  readonly signal: AbortSignal;
  /** Clock injected for expiry checks; tests pin it. */
  readonly now: Date;
  /**
   * Results of the nested verification of this artifact's own referrers, already computed by
   * the pipeline when `nestedRequirement` asks for them. Empty otherwise.
   */
  readonly nested: readonly VerifierResult[];
}

export interface Verifier {
  readonly name: string;
  readonly type: VerifierType;
  /** Artifact types of the referrers this verifier looks at. */
  readonly artifactTypes: readonly string[];
  /**
   * A stable hash of this verifier's configuration and trust material; part of the result
   * cache key, so a change to either invalidates cached results.
   */
  configHash(): string;
  /** Whether this verifier applies to the image at all (e.g. Cosign scopes). Default: yes. */
  appliesTo?(subject: Subject): boolean;
  /**
   * Set when the artifact this verifier checks must itself be signed (SBOM, vulnerability
   * report): the pipeline then verifies the artifact's referrers with the named signature
   * verifiers (all signature verifiers when `verifiers` is empty) and passes them in
   * `ctx.nested`.
   */
  readonly nestedRequirement?: { readonly verifiers: readonly string[] } | undefined;
  verify(subject: Subject, artifact: ReferrerArtifact, ctx: VerifyContext): Promise<VerifierResult>;
}

/** What a factory gets besides its own config entry. */
export interface VerifierDeps {
  /** Directory that relative paths in the config are resolved against. */
  readonly baseDir: string;
  readonly logger: Logger;
  /**
   * Resolves a trust material value that is not a plain path, e.g.
   * `secret:portcullis-system/release-ca/ca.crt` (a Kubernetes Secret, watched): a source, or
   * `undefined` for a plain path. Throws ConfigError naming `path` when the value cannot be
   * served (malformed, or no Kubernetes access). Absent: such values are refused.
   */
  readonly trustSource?: ((spec: string, path: string) => TrustMaterialSource | undefined) | undefined;
  /** Fetches OCSP responses and CRLs for Notation revocation checks; absent: nothing is fetched. */
  readonly revocationFetcher?: RevocationFetcher | undefined;
  /** Counts revocation fetches and cache lookups (metrics). */
  readonly onRevocationEvent?: ((event: RevocationEvent) => void) | undefined;
}

/** One raw entry of config `verifiers[]`; each factory validates its own options. */
export interface VerifierConfigEntry {
  readonly name: string;
  readonly type: VerifierType;
  readonly artifactTypes?: readonly string[] | undefined;
  readonly [option: string]: unknown;
}

/**
 * Builds a verifier from its config entry. Throws ConfigError naming the field
 * (`verifiers[<index>].<field>`) when the entry is invalid; may read trust material files.
 */
export type VerifierFactory = (entry: VerifierConfigEntry, path: string, deps: VerifierDeps) => Promise<Verifier>;

/** The earliest of two optional RFC 3339 times. */
export function earliestTime(a: string | undefined, b: string | undefined): string | undefined {
  if (!a) return b;
  if (!b) return a;
  return Date.parse(a) <= Date.parse(b) ? a : b;
}

/** Builds a result with the common fields filled in. */
export function verifierResult(
  verifier: Pick<Verifier, 'name' | 'type'>,
  artifact: ReferrerArtifact,
  fields: Pick<VerifierResult, 'valid' | 'message'> & Partial<Pick<VerifierResult, 'details' | 'nested' | 'error' | 'expiresAt'>>,
): VerifierResult {
  const d = artifact.descriptor;
  return {
    verifier: verifier.name,
    type: verifier.type,
    artifactType: d.artifactType ?? '',
    referrer: { digest: d.digest, mediaType: d.mediaType, annotations: { ...(d.annotations ?? {}) } },
    valid: fields.valid,
    message: fields.message,
    details: fields.details ?? {},
    nested: fields.nested ?? [],
    ...(fields.error ? { error: fields.error } : {}),
    ...(fields.expiresAt ? { expiresAt: fields.expiresAt } : {}),
  };
}
