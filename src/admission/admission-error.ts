import { CodedError } from '../shared/coded-error.js';

export type AdmissionErrorCode =
  | 'BODY_TOO_LARGE' | 'BODY_TIMEOUT' | 'NOT_JSON' | 'TOO_DEEP' | 'NOT_AN_OBJECT' | 'BAD_API_VERSION' | 'BAD_KIND'
  | 'NO_REQUEST' | 'NO_UID' | 'BAD_REQUEST_FIELD' | 'BAD_OBJECT' | 'BAD_IMAGE' | 'UNREADABLE';

/** An AdmissionReview the webhook cannot answer: HTTP 400 with this code and message. */
export class AdmissionError extends CodedError<AdmissionErrorCode> {}
