import { CodedError } from '../shared/coded-error.js';

export type WebhookCertsErrorCode =
  /** The Secret exists but its content is not a usable certificate set (never overwritten). */
  | 'INVALID_SECRET'
  /** A write lost an optimistic-concurrency race (HTTP 409): re-read and plan again. */
  | 'CONFLICT'
  /** 401/403: the ServiceAccount lacks what docs/self-managed-certs.md "RBAC" lists. */
  | 'FORBIDDEN'
  /** The API server did not answer within the bound. */
  | 'TIMEOUT'
  /** Any other failed API call. */
  | 'API_ERROR'
  /** A webhook configuration's content is not what the API server serves (bad shape). */
  | 'INVALID_WEBHOOK_CONFIGURATION'
  /** tls.selfManaged is on but no API server is configured. */
  | 'NO_KUBERNETES'
  /** No usable serving pair appeared in the Secret within tls.selfManaged.startTimeout. */
  | 'START_TIMEOUT';

/** Self-managed webhook certificates (docs/self-managed-certs.md); messages never hold key material. */
export class WebhookCertsError extends CodedError<WebhookCertsErrorCode> {}
