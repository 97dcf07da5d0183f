/**
 * Base of every domain error: a stable machine-readable `code` (a string union per domain)
 * beside a message for people. Tests assert the code, never the message.
 *
 *   export class OciError extends CodedError<OciErrorCode> {}
 *   throw new OciError('DIGEST_MISMATCH', `expected ${want}, got ${got}`);
 */
export class CodedError<C extends string = string> extends Error {
  readonly code: C;
  readonly details: Record<string, unknown> | undefined;

  constructor(code: C, message: string, options: { cause?: unknown; details?: Record<string, unknown> } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.details = options.details;
  }
}

/** A configuration problem; `path` names the field (e.g. `verifiers[0].trustPolicy`). */
export class ConfigError extends CodedError<'INVALID_CONFIG' | 'FILE_NOT_FOUND' | 'UNKNOWN_VERIFIER_TYPE'> {
  readonly path: string;
  constructor(code: ConfigError['code'], path: string, message: string, options: { cause?: unknown } = {}) {
    super(code, path ? `${path}: ${message}` : message, options);
    this.path = path;
  }
}
