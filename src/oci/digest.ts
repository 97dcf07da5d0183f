/**
 * Digests (OCI image-spec descriptor.md#digests): `algorithm ":" encoded`. Only sha256 and
 * sha512 are verifiable; anything else is refused rather than trusted unchecked.
 * https://github.com/opencontainers/image-spec/blob/v1.1.0/descriptor.md#digests
 */
import { createHash } from 'node:crypto';
import { OciError } from './errors.js';

const DIGEST_RE = /^[a-z0-9]+(?:[+._-][a-z0-9]+)*:[a-zA-Z0-9=_-]+$/;
const ENCODED: Record<string, RegExp> = { sha256: /^[a-f0-9]{64}$/, sha512: /^[a-f0-9]{128}$/ };

export interface ParsedDigest { readonly digest: string; readonly algorithm: 'sha256' | 'sha512'; readonly encoded: string }

/** Parses and validates a digest string; throws `INVALID_DIGEST` / `UNSUPPORTED_DIGEST_ALGORITHM`. */
export function parseDigest(digest: string): ParsedDigest {
  if (typeof digest !== 'string' || digest.length > 256 || !DIGEST_RE.test(digest)) {
    throw new OciError('INVALID_DIGEST', `invalid digest ${JSON.stringify(String(digest).slice(0, 100))}`);
  }
  const i = digest.indexOf(':');
  const algorithm = digest.slice(0, i);
  const encoded = digest.slice(i + 1);
  const re = ENCODED[algorithm];
  if (!re) throw new OciError('UNSUPPORTED_DIGEST_ALGORITHM', `unsupported digest algorithm ${JSON.stringify(algorithm)}`);
  if (!re.test(encoded)) throw new OciError('INVALID_DIGEST', `invalid ${algorithm} digest ${JSON.stringify(digest.slice(0, 100))}`);
  return { digest, algorithm: algorithm as 'sha256' | 'sha512', encoded };
}

/** `sha256:<hex>` of some bytes (or another algorithm). */
export function digestOf(bytes: Uint8Array, algorithm: 'sha256' | 'sha512' = 'sha256'): string {
  return `${algorithm}:${createHash(algorithm).update(bytes).digest('hex')}`;
}

/** Throws `DIGEST_MISMATCH` unless `bytes` hash to `expected`. */
export function verifyDigest(bytes: Uint8Array, expected: string, what: string): void {
  const { algorithm } = parseDigest(expected);
  const got = digestOf(bytes, algorithm);
  if (got !== expected) throw new OciError('DIGEST_MISMATCH', `${what}: expected ${expected}, got ${got}`);
}
