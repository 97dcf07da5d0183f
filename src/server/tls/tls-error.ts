import { CodedError } from '../../shared/coded-error.js';

export type TlsErrorCode = 'READ_FAILED' | 'BAD_CERTIFICATE' | 'BAD_KEY' | 'KEY_MISMATCH' | 'EXPIRED' | 'NOT_YET_VALID' | 'BAD_CLIENT_CA';

/** TLS material that cannot be served. */
export class TlsError extends CodedError<TlsErrorCode> {}
