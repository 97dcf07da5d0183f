/**
 * The wire form of an entry in the shared cache (docs/cache-threat-model.md): an HMAC-SHA256
 * tag over the entry's kind, its full Redis key, the signing key's id, its expiry and the value,
 * so that whoever can write to Redis can neither forge an entry, nor move one to another key or
 * kind, nor extend its life. Layout (one header line, then the value's JSON as stored):
 *
 *   pc1 <key id> <expires at, ms since epoch> <tag, base64url>\n<value JSON>
 *
 * The value is parsed only after its tag checked out (constant-time compare).
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { CacheKey, CacheKeyRing } from './cache-key-ring.js';
import type { CacheKind } from './types.js';

const VERSION = 'pc1';
const HEADER = /^pc1 ([0-9a-f]{16}) ([0-9]{1,15}) ([A-Za-z0-9_-]{43})$/;

/** Why an entry read back was not used; a bounded label value (`portcullis_cache_rejected_entries_total`). */
export type RejectReason = 'malformed' | 'unknown_key' | 'bad_signature' | 'oversize';

export type OpenedEntry =
  | { readonly ok: true; readonly value: unknown; readonly expiresAt: number }
  | { readonly ok: false; readonly reason: RejectReason };

export function sealEntry(key: CacheKey, kind: CacheKind, redisKey: string, expiresAt: number, valueJson: string): string {
  const e = Math.floor(expiresAt);
  return `${VERSION} ${key.id} ${e} ${tag(key, kind, redisKey, e, valueJson)}\n${valueJson}`;
}

export function openEntry(ring: CacheKeyRing, kind: CacheKind, redisKey: string, raw: string): OpenedEntry {
  const nl = raw.indexOf('\n');
  const m = nl < 0 ? null : HEADER.exec(raw.slice(0, nl));
  if (!m) return { ok: false, reason: 'malformed' };
  const [, id, e, got] = m as unknown as [string, string, string, string];
  const key = ring.verifying(id);
  if (!key) return { ok: false, reason: 'unknown_key' };
  const expiresAt = Number(e);
  const valueJson = raw.slice(nl + 1);
  const want = Buffer.from(tag(key, kind, redisKey, expiresAt, valueJson), 'base64url');
  if (!timingSafeEqual(want, Buffer.from(got, 'base64url'))) return { ok: false, reason: 'bad_signature' };
  try {
    return { ok: true, value: JSON.parse(valueJson) as unknown, expiresAt };
  } catch {
    // Authentic but unparsable: only a bug of ours writes that; still never a verdict.
    return { ok: false, reason: 'malformed' };
  }
}

function tag(key: CacheKey, kind: CacheKind, redisKey: string, expiresAt: number, valueJson: string): string {
  // The header fields as one JSON array: unambiguous whatever characters the key holds.
  return createHmac('sha256', key.secret)
    .update(JSON.stringify([VERSION, kind, redisKey, key.id, expiresAt]))
    .update('\n')
    .update(valueJson)
    .digest('base64url');
}
