/**
 * The port through which revocation information is fetched. Verifiers do no I/O: the
 * composition root (src/compose-ports.ts) injects an implementation
 * (src/revocation/create-http-revocation-fetcher.ts); checking what comes back is pure.
 */
export interface RevocationFetchRequest {
  /** An http(s) URL taken from the certificate (AIA OCSP or CRL distribution point). */
  readonly url: string;
  readonly kind: 'ocsp' | 'crl';
  /** DER OCSPRequest, POSTed as application/ocsp-request (RFC 6960 §A.1); CRLs are a GET. */
  readonly body?: Uint8Array | undefined;
  /** This fetch's own time limit (the spec's per-URL threshold: 2 s OCSP, 5 s CRL). */
  readonly timeoutMs: number;
  /** Largest accepted response body. */
  readonly maxBytes: number;
}

export interface RevocationFetcher {
  /** The response body of a 2xx answer; throws on anything else (status, size, time, scheme). */
  fetch(request: RevocationFetchRequest, signal: AbortSignal): Promise<Uint8Array>;
}
