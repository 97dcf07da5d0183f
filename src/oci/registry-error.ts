/**
 * Maps a registry's non-2xx answer to an OciError whose message carries the registry's own
 * error text (distribution-spec "Error Codes": `{"errors":[{"code","message","detail"}]}`).
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

function registryMessage(body: Uint8Array): string | undefined {
  if (body.length === 0) return undefined;
  try {
    const json = JSON.parse(Buffer.from(body).toString('utf8')) as { errors?: { code?: unknown; message?: unknown }[] };
    const first = Array.isArray(json.errors) ? json.errors[0] : undefined;
    if (first) return [first.code, first.message].filter((x) => typeof x === 'string').join(': ').slice(0, 300);
  } catch { /* not JSON: no message */ }
  return undefined;
}
