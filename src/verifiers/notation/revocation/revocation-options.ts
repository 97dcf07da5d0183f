/** The `revocation` block of a notation verifier (docs/verifiers/notation.md#revocation). */
export interface RevocationOptions {
  /** Fetch OCSP responses and CRLs at all (default false: such certificates stay "unknown"). */
  readonly fetch: boolean;
  /** Hosts (`host` or `host:port`) fetches may go to; absent: any host a trusted certificate names. */
  readonly allowedHosts?: readonly string[] | undefined;
  readonly ocspTimeoutMs: number;
  readonly crlTimeoutMs: number;
  readonly maxOcspBytes: number;
  readonly maxCrlBytes: number;
  /** Cap on how long a verified status is reused (it is never reused past its nextUpdate). */
  readonly cacheMaxSeconds: number;
  readonly cacheMaxEntries: number;
  /** An OCSP response without nextUpdate is accepted this long after its thisUpdate (and not cached). */
  readonly ocspMaxAgeSeconds: number;
}

export const DEFAULT_REVOCATION_OPTIONS: RevocationOptions = {
  fetch: false,
  ocspTimeoutMs: 2000,
  crlTimeoutMs: 5000,
  maxOcspBytes: 64 * 1024,
  maxCrlBytes: 10 * 1024 * 1024,
  cacheMaxSeconds: 24 * 3600,
  cacheMaxEntries: 10_000,
  ocspMaxAgeSeconds: 3600,
};
