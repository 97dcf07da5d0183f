/**
 * The RevocationFetcher over HTTP(S): OCSP requests POSTed as application/ocsp-request
 * (RFC 6960 §A.1.1), CRLs fetched with GET (RFC 5280 §4.2.1.13). Every fetch is bounded: only
 * http and https, no redirects (a redirect could lead anywhere the allow-list did not look),
 * a response body capped at the request's `maxBytes` (checked while streaming, whatever
 * Content-Length says), and a time limit that is the earlier of the request's own `timeoutMs`
 * and the caller's deadline signal.
 */
import { CodedError } from '../shared/coded-error.js';
import type { RevocationFetcher, RevocationFetchRequest } from '../verifiers/notation/revocation/revocation-fetcher.js';

export interface HttpRevocationFetcherOptions {
  /** Records each fetch's duration by kind and outcome (metrics). */
  readonly onFetch?: ((kind: 'ocsp' | 'crl', seconds: number, ok: boolean) => void) | undefined;
}

export function createHttpRevocationFetcher(options: HttpRevocationFetcherOptions = {}): RevocationFetcher {
  return {
    async fetch(request, signal) {
      const started = performance.now();
      try {
        const body = await fetchOnce(request, signal);
        options.onFetch?.(request.kind, (performance.now() - started) / 1000, true);
        return body;
      } catch (err) {
        options.onFetch?.(request.kind, (performance.now() - started) / 1000, false);
        throw err;
      }
    },
  };
}

async function fetchOnce(request: RevocationFetchRequest, signal: AbortSignal): Promise<Uint8Array> {
  const url = new URL(request.url);
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new RevocationFetchError(`scheme ${url.protocol} is not fetched`);
  const deadline = AbortSignal.any([signal, AbortSignal.timeout(request.timeoutMs)]);
  let res: Response;
  try {
    res = await fetch(url, {
      method: request.body ? 'POST' : 'GET',
      redirect: 'manual',
      signal: deadline,
      headers: request.body ? { 'content-type': 'application/ocsp-request', accept: 'application/ocsp-response' } : { accept: 'application/pkix-crl, */*' },
      ...(request.body ? { body: Buffer.from(request.body) } : {}),
    });
  } catch (err) {
    throw new RevocationFetchError(deadline.aborted ? `no answer within ${signal.aborted ? 'the admission deadline' : `${request.timeoutMs} ms`}` : `cannot connect: ${causeOf(err)}`, { cause: err });
  }
  if (res.status < 200 || res.status > 299) {
    await res.body?.cancel().catch(() => undefined);
    throw new RevocationFetchError(`HTTP ${res.status}`);
  }
  const declared = Number(res.headers.get('content-length') ?? NaN);
  if (declared > request.maxBytes) {
    await res.body?.cancel().catch(() => undefined);
    throw new RevocationFetchError(`response of ${declared} bytes is over the limit of ${request.maxBytes}`);
  }
  return readCapped(res, request.maxBytes, deadline);
}

async function readCapped(res: Response, maxBytes: number, signal: AbortSignal): Promise<Uint8Array> {
  const reader = res.body?.getReader();
  if (!reader) return new Uint8Array();
  const chunks: Uint8Array[] = [];
  let total = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      total += value.byteLength;
      if (total > maxBytes) throw new RevocationFetchError(`response is over the limit of ${maxBytes} bytes`);
      chunks.push(value);
    }
  } catch (err) {
    await reader.cancel().catch(() => undefined);
    if (err instanceof RevocationFetchError) throw err;
    throw new RevocationFetchError(signal.aborted ? 'no complete answer within the time limit' : `reading the response failed: ${causeOf(err)}`, { cause: err });
  }
  return Buffer.concat(chunks);
}

function causeOf(err: unknown): string {
  const c = (err as { cause?: { code?: unknown; message?: unknown } })?.cause;
  return typeof c?.code === 'string' ? c.code : typeof c?.message === 'string' ? c.message : (err as Error).message;
}

/** A fetch that did not produce a usable body; its message ends up in the certificate's `problems`. */
export class RevocationFetchError extends CodedError<'FETCH_FAILED'> {
  constructor(message: string, options: { cause?: unknown } = {}) {
    super('FETCH_FAILED', message, options);
  }
}
