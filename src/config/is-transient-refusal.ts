/**
 * Whether a refused config change may apply later with the same text: a file or `secret:`
 * source that could not be read, an API server that did not answer. Such refusals are retried
 * (config-store.ts); a text that is itself invalid (INVALID_CONFIG from the schema or a
 * verifier's options) is not — only a new file event can fix it.
 */
const TRANSIENT_CODES: ReadonlySet<string> = new Set([
  // ConfigError / TrustMaterialError / TlsError: a file named by the config could not be read.
  'FILE_NOT_FOUND', 'READ_FAILED',
  // KubernetesError (src/kubernetes/kubernetes-error.ts): `secret:` sources.
  'TIMEOUT', 'API_ERROR', 'NOT_FOUND', 'UNAUTHORIZED', 'FORBIDDEN', 'INVALID_SECRET', 'SECRET_KEY_MISSING',
  // Node's own I/O errors.
  'ENOENT', 'EACCES', 'EPERM', 'EIO', 'EBUSY', 'EMFILE', 'ENFILE', 'EAGAIN', 'ETIMEDOUT', 'ECONNREFUSED', 'ECONNRESET',
]);

/** Looks at the error and its `cause` chain (a verifier wraps a source's error in a ConfigError). */
export function isTransientRefusal(err: unknown): boolean {
  let e: unknown = err;
  for (let depth = 0; depth < 8 && e && typeof e === 'object'; depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && TRANSIENT_CODES.has(code)) return true;
    e = (e as { cause?: unknown }).cause;
  }
  return false;
}
