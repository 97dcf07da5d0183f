import { CodedError } from '../../../shared/coded-error.js';

/**
 * Why one OCSP response or CRL could not be used. Each ends as "revocation unavailable" for the
 * certificate (the spec's REVOCATION_UNKNOWN) unless another source answers.
 */
export type RevocationErrorCode =
  /** Not DER, or not the structure RFC 6960 / RFC 5280 defines. */
  | 'MALFORMED'
  /** Signed by a key that is neither the issuer's nor a delegated responder's it issued. */
  | 'UNTRUSTED_SIGNER'
  | 'SIGNATURE_INVALID'
  /** Past `nextUpdate`, or `thisUpdate` in the future, or too old without a `nextUpdate`. */
  | 'STALE'
  /** The response is about another certificate, or echoes another nonce. */
  | 'MISMATCH'
  /** A form not implemented here (delta or indirect CRLs, an unknown critical extension, RSASSA-PSS). */
  | 'UNSUPPORTED'
  /** The responder said `unknown`, or answered with an error status. */
  | 'UNKNOWN_STATUS';

export class RevocationError extends CodedError<RevocationErrorCode> {}
