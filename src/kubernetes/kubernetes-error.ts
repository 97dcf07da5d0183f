import { CodedError } from '../shared/coded-error.js';

export type KubernetesErrorCode =
  /** The API server did not answer within the bound (or the caller's deadline passed). */
  | 'TIMEOUT'
  /** The caller aborted. */
  | 'ABORTED'
  /** 401: our credentials were refused. */
  | 'UNAUTHORIZED'
  /** 403: RBAC does not grant the read (see manifests/rbac.yaml). */
  | 'FORBIDDEN'
  /** Any other failed API call (5xx, connection refused, bad response). */
  | 'API_ERROR'
  /** An object we were told to read does not exist. */
  | 'NOT_FOUND'
  /** A Secret that should hold docker credentials or trust material is malformed. */
  | 'INVALID_SECRET'
  /** A key named in the configuration is absent from the Secret. */
  | 'SECRET_KEY_MISSING';

/** Errors from reading Kubernetes objects; messages name the object, never its contents. */
export class KubernetesError extends CodedError<KubernetesErrorCode> {}
