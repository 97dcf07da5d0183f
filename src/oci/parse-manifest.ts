/**
 * Defensive parsing of manifests and indexes fetched from a registry (attacker-controlled
 * bytes): JSON, schemaVersion 2, descriptors with valid digests and sizes, bounded lists.
 * https://github.com/opencontainers/image-spec/blob/v1.1.0/manifest.md
 * https://github.com/opencontainers/image-spec/blob/v1.1.0/image-index.md
 */
import type { Descriptor, ImageIndex, ImageManifest } from './types.js';
import { INDEX_MEDIA_TYPES } from './media-types.js';
import { OciError } from './errors.js';
import { parseDigest } from './digest.js';

/** More entries than this in one manifest or index is treated as hostile. */
export const MAX_DESCRIPTORS = 10_000;

export type ParsedManifest = { readonly kind: 'index'; readonly index: ImageIndex } | { readonly kind: 'manifest'; readonly manifest: ImageManifest };

export function parseManifest(bytes: Uint8Array, mediaType: string | undefined, what: string): ParsedManifest {
  let json: unknown;
  try { json = JSON.parse(Buffer.from(bytes).toString('utf8')); } catch (err) {
    throw new OciError('INVALID_MANIFEST', `${what}: manifest is not JSON`, { cause: err });
  }
  if (!json || typeof json !== 'object' || Array.isArray(json)) throw new OciError('INVALID_MANIFEST', `${what}: manifest is not a JSON object`);
  const m = json as Record<string, unknown>;
  if (m.schemaVersion !== 2) throw new OciError('INVALID_MANIFEST', `${what}: schemaVersion must be 2`);
  const declared = typeof m.mediaType === 'string' ? m.mediaType : undefined;
  // The body's mediaType, when present, must agree with the Content-Type it was served with.
  if (declared && mediaType && declared !== mediaType) {
    throw new OciError('INVALID_MANIFEST', `${what}: served as ${mediaType} but declares ${declared}`);
  }
  const type = declared ?? mediaType;
  const isIndex = type !== undefined ? INDEX_MEDIA_TYPES.includes(type) : Array.isArray(m.manifests);
  if (isIndex) {
    if (!Array.isArray(m.manifests)) throw new OciError('INVALID_MANIFEST', `${what}: index without manifests`);
    return { kind: 'index', index: { ...(m as object), schemaVersion: 2, manifests: descriptors(m.manifests, what) } as ImageIndex };
  }
  if (!Array.isArray(m.layers) && m.config === undefined) throw new OciError('INVALID_MANIFEST', `${what}: manifest without config and layers`);
  return {
    kind: 'manifest',
    manifest: {
      ...(m as object), schemaVersion: 2,
      config: descriptor(m.config, what),
      layers: descriptors(m.layers ?? [], what),
      ...(m.subject !== undefined ? { subject: descriptor(m.subject, what) } : {}),
    } as ImageManifest,
  };
}

function descriptors(list: unknown, what: string): Descriptor[] {
  if (!Array.isArray(list)) throw new OciError('INVALID_MANIFEST', `${what}: expected a list of descriptors`);
  if (list.length > MAX_DESCRIPTORS) throw new OciError('INVALID_MANIFEST', `${what}: more than ${MAX_DESCRIPTORS} descriptors`);
  return list.map((d) => descriptor(d, what));
}

/** Validates one descriptor (used for referrers index entries too). */
export function descriptor(d: unknown, what: string): Descriptor {
  if (!d || typeof d !== 'object') throw new OciError('INVALID_MANIFEST', `${what}: descriptor is not an object`);
  const o = d as Record<string, unknown>;
  if (typeof o.mediaType !== 'string' || typeof o.digest !== 'string' || typeof o.size !== 'number' || !Number.isSafeInteger(o.size) || o.size < 0) {
    throw new OciError('INVALID_MANIFEST', `${what}: descriptor needs mediaType, digest and a non-negative integer size`);
  }
  try { parseDigest(o.digest); } catch (err) { throw new OciError('INVALID_MANIFEST', `${what}: ${(err as Error).message}`, { cause: err }); }
  const out: { -readonly [K in keyof Descriptor]: Descriptor[K] } = { mediaType: o.mediaType, digest: o.digest, size: o.size };
  if (typeof o.artifactType === 'string') out.artifactType = o.artifactType;
  if (o.annotations && typeof o.annotations === 'object' && !Array.isArray(o.annotations)) {
    const a: Record<string, string> = {};
    for (const [k, v] of Object.entries(o.annotations as Record<string, unknown>)) if (typeof v === 'string') a[k] = v;
    out.annotations = a;
  }
  const p = o.platform as Record<string, unknown> | undefined;
  if (p && typeof p === 'object' && typeof p.os === 'string' && typeof p.architecture === 'string') {
    out.platform = { os: p.os, architecture: p.architecture, ...(typeof p.variant === 'string' ? { variant: p.variant } : {}) };
  }
  return out;
}
