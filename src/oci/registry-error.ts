/**
 * Maps a registry's non-2xx answer to an OciError that names the registry's error *code*
 * (distribution-spec "Error Codes": `{"errors":[{"code","message","detail"}]}`), never its free
 * text: an error body is the registry's to fill, and registries and proxies are known to echo
 * the request back — its Authorization header or token included — into `message`/`detail`,
 * which would then reach the denial message and the log line. The spec's codes say enough.
 * https://github.com/opencontainers/distribution-spec/blob/v1.1.0/spec.md#error-codes
 */
import type { HttpResponse } from './http-transport.js';
import { OciError, type OciErrorCode } from './errors.js';

export function registryError(res: HttpResponse, what: string): OciError {
  const code: OciErrorCode =
    res.status === 404 ? 'NOT_FOUND'
      : res.status === 401 ? 'UNAUTHORIZED'
        : res.status === 403 ? 'DENIED'
          : res.status === 429 ? 'TOO_MANY_REQUESTS'
            : res.status >= 500 ? 'REGISTRY_ERROR'
              : 'UNEXPECTED_RESPONSE';
  const said = registryMessage(res.body) ?? STATUS_TEXT[res.status];
  return new OciError(code, `${what}: ${res.status}${said ? ` ${said}` : ''}`, { details: { status: res.status } });
}

/** For answers without an error body (HEAD requests). */
const STATUS_TEXT: Readonly<Record<number, string>> = {
  401: 'unauthorized', 403: 'denied', 404: 'not found', 429: 'too many requests',
  500: 'internal server error', 502: 'bad gateway', 503: 'service unavailable', 504: 'gateway timeout',
};

/** Meaning of the distribution-spec error codes (spec table), in our words. */
const SPEC_CODES: ReadonlyMap<string, string> = new Map([
  ['BLOB_UNKNOWN', 'blob unknown to registry'],
  ['BLOB_UPLOAD_INVALID', 'blob upload invalid'],
  ['BLOB_UPLOAD_UNKNOWN', 'blob upload unknown to registry'],
  ['DIGEST_INVALID', 'provided digest did not match uploaded content'],
  ['MANIFEST_BLOB_UNKNOWN', 'manifest references a manifest or blob unknown to registry'],
  ['MANIFEST_INVALID', 'manifest invalid'],
  ['MANIFEST_UNKNOWN', 'manifest unknown to registry'],
  ['NAME_INVALID', 'invalid repository name'],
  ['NAME_UNKNOWN', 'repository name not known to registry'],
  ['SIZE_INVALID', 'provided length did not match content length'],
  ['UNAUTHORIZED', 'authentication required'],
  ['DENIED', 'requested access to the resource is denied'],
  ['UNSUPPORTED', 'the operation is unsupported'],
  ['TOOMANYREQUESTS', 'too many requests'],
]);

function registryMessage(body: Uint8Array): string | undefined {
  if (body.length === 0) return undefined;
  try {
    const json = JSON.parse(Buffer.from(body).toString('utf8')) as { errors?: { code?: unknown }[] };
    const code = Array.isArray(json.errors) ? json.errors[0]?.code : undefined;
    if (typeof code !== 'string') return undefined;
    const known = SPEC_CODES.get(code);
    if (known) return `${code}: ${known}`;
    // A code outside the spec is kept only if it looks like one (no free text through here).
    return /^[A-Z][A-Z0-9_]{0,63}$/.test(code) ? code : undefined;
  } catch { /* not JSON: no message */ }
  return undefined;
}
