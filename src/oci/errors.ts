/**
 * The OCI domain error. Codes are stable and asserted by tests; messages name the image or
 * registry and, where there is one, the registry's own error text.
 */
import { CodedError } from '../shared/coded-error.js';

export type OciErrorCode =
  /** The reference does not follow the Docker reference grammar. */
  | 'INVALID_REFERENCE'
  /** The repository name is over 255 characters, or the whole reference over 4096. */
  | 'REFERENCE_TOO_LONG'
  | 'INVALID_DIGEST'
  | 'UNSUPPORTED_DIGEST_ALGORITHM'
  /** A body did not hash to the digest it was fetched by (or the registry announced). */
  | 'DIGEST_MISMATCH'
  /** A body (manifest, blob, token, referrers page) was over its size cap. */
  | 'SIZE_EXCEEDED'
  /** A manifest or index that is not JSON or not the expected shape. */
  | 'INVALID_MANIFEST'
  | 'UNSUPPORTED_MEDIA_TYPE'
  | 'NOT_FOUND'
  /** 401 after authenticating, or no credentials when the registry demands them. */
  | 'UNAUTHORIZED'
  | 'DENIED'
  /** The token realm is plain HTTP on a host not listed as insecure (or not a URL at all). */
  | 'REALM_REFUSED'
  /** The token endpoint failed or answered something that is not a token. */
  | 'TOKEN_ERROR'
  | 'TOO_MANY_REQUESTS'
  /** The registry kept answering 5xx after every retry. */
  | 'REGISTRY_ERROR'
  /** Any other unexpected status or protocol violation. */
  | 'UNEXPECTED_RESPONSE'
  | 'NETWORK_ERROR'
  /** The caller's deadline passed, or a `Retry-After` would have passed it. */
  | 'DEADLINE_EXCEEDED'
  | 'ABORTED'
  /** Referrers pagination went over its page bound, or a redirect chain over its bound. */
  | 'TOO_MANY_PAGES'
  | 'TOO_MANY_REDIRECTS'
  | 'CREDENTIALS_ERROR'
  /** One reservation is larger than a whole byte budget (`registries.maxBytesPerRequest`/`maxBytesInFlight`): it can never fit. */
  | 'BUDGET_EXCEEDED'
  /** The byte budget stayed full for longer than the wait allowed (`registries.maxBytesWaitMs`, or the deadline). */
  | 'BUDGET_EXHAUSTED';

export class OciError extends CodedError<OciErrorCode> {}

/** True for errors that mean "this does not exist" (cacheable as a negative result). */
export function isNotFound(err: unknown): boolean {
  return err instanceof OciError && err.code === 'NOT_FOUND';
}
