import { CodedError } from '../../shared/coded-error.js';

/** Why a Notary Project signature did not verify (or could not be verified). */
export type NotationErrorCode =
  | 'MALFORMED_ENVELOPE'
  | 'UNSUPPORTED_ENVELOPE'
  | 'UNKNOWN_CRITICAL_HEADER'
  | 'UNSUPPORTED_ALGORITHM'
  | 'VERIFICATION_PLUGIN_REQUIRED'
  | 'SIGNATURE_INVALID'
  | 'INVALID_CERTIFICATE_CHAIN'
  | 'TARGET_MISMATCH'
  | 'NO_MATCHING_POLICY'
  | 'UNTRUSTED_CHAIN'
  | 'UNTRUSTED_IDENTITY'
  | 'EXPIRED_SIGNATURE'
  | 'EXPIRED_CERTIFICATE'
  | 'REVOCATION_UNKNOWN'
  | 'REVOKED'
  | 'CERTIFICATE_NOT_YET_VALID'
  | 'TIMESTAMP_MISSING'
  | 'TIMESTAMP_INVALID'
  | 'TIMESTAMP_UNTRUSTED'
  | 'TIMESTAMP_OUTSIDE_VALIDITY';

export class NotationError extends CodedError<NotationErrorCode> {}
