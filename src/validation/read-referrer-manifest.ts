/**
 * Reads what the pipeline needs from a referrer's own manifest (bytes already checked against
 * the listed digest): its layers, artifact type, subject, media type and annotations. These,
 * not the listing entry, are what verifiers and the policy see (docs/validation.md "The trust boundary").
 * https://github.com/opencontainers/image-spec/blob/v1.1.0/manifest.md
 */
import type { Descriptor } from '../oci/types.js';

export interface ReferrerManifest {
  readonly layers: readonly Descriptor[];
  /** `artifactType`, else the config media type (image-spec "Guidelines for Artifact Usage"). */
  readonly artifactType?: string | undefined;
  readonly subjectDigest?: string | undefined;
  readonly mediaType?: string | undefined;
  readonly annotations?: Readonly<Record<string, string>> | undefined;
}

/** A referrer has a handful of layers (a signature, a document); more is not an artifact of ours. */
const MAX_LAYERS = 16;
/** Annotations kept from a referrer manifest, and the length of each value. */
const MAX_ANNOTATIONS = 64;
const MAX_ANNOTATION_CHARS = 4096;

export function readReferrerManifest(bytes: Uint8Array): ReferrerManifest {
  const raw = JSON.parse(Buffer.from(bytes).toString('utf8')) as unknown;
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new Error('referrer manifest is not a JSON object');
  const m = raw as Record<string, unknown>;
  const layers = Array.isArray(m.layers) ? (m.layers as unknown[]) : [];
  if (layers.length > MAX_LAYERS) throw new Error(`referrer manifest has ${layers.length} layers (at most ${MAX_LAYERS})`);
  const out: Descriptor[] = layers.map((l) => {
    const d = l as Record<string, unknown> | null;
    if (typeof d?.digest !== 'string' || typeof d.mediaType !== 'string' || typeof d.size !== 'number' || d.size < 0) {
      throw new Error('referrer manifest has a malformed layer descriptor');
    }
    return { mediaType: d.mediaType, digest: d.digest, size: d.size };
  });
  const config = asObject(m.config);
  const subject = asObject(m.subject);
  const artifactType = typeof m.artifactType === 'string' ? m.artifactType : typeof config?.mediaType === 'string' ? config.mediaType : undefined;
  const annotations = readAnnotations(m.annotations);
  return {
    layers: out,
    ...(artifactType !== undefined ? { artifactType } : {}),
    ...(typeof subject?.digest === 'string' ? { subjectDigest: subject.digest } : {}),
    ...(typeof m.mediaType === 'string' ? { mediaType: m.mediaType } : {}),
    ...(annotations ? { annotations } : {}),
  };
}

function asObject(v: unknown): Record<string, unknown> | undefined {
  return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
}

/** String-valued own annotations, bounded; in a null-prototype object (keys are input). */
function readAnnotations(v: unknown): Record<string, string> | undefined {
  const a = asObject(v);
  if (!a) return undefined;
  const out = Object.create(null) as Record<string, string>;
  let n = 0;
  for (const key of Object.keys(a)) {
    const value = a[key];
    if (typeof value !== 'string') continue;
    if (++n > MAX_ANNOTATIONS) break;
    out[key] = value.slice(0, MAX_ANNOTATION_CHARS);
  }
  return n > 0 ? out : undefined;
}
