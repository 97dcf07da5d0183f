/**
 * The Notary Project signature manifest: an OCI image manifest with artifactType
 * `application/vnd.cncf.notary.signature`, a subject, and one layer, the envelope.
 * https://github.com/notaryproject/specifications/blob/main/specs/signature-specification.md#storage
 */
import type { FetchedContent } from '../../oci/types.js';
import { NotationError } from './notation-error.js';

/** Envelopes are a few KiB (a chain and maybe a timestamp token); anything far larger is refused unparsed. */
const MAX_ENVELOPE_BYTES = 1024 * 1024;

export interface SignatureManifest {
  readonly subjectDigest?: string | undefined;
  readonly envelopeMediaType: string;
  readonly envelope: Uint8Array;
}

export function readSignatureManifest(manifest: FetchedContent, blobs: readonly FetchedContent[]): SignatureManifest {
  let doc: unknown;
  try {
    doc = JSON.parse(Buffer.from(manifest.bytes).toString('utf8'));
  } catch (cause) {
    throw new NotationError('MALFORMED_ENVELOPE', 'signature manifest is not JSON', { cause });
  }
  const m = doc as { layers?: unknown; subject?: { digest?: unknown } } | null;
  if (!m || !Array.isArray(m.layers) || m.layers.length !== 1) throw new NotationError('MALFORMED_ENVELOPE', 'a notation signature manifest must have exactly one layer (the envelope)');
  const layer = m.layers[0] as { mediaType?: unknown; digest?: unknown };
  if (typeof layer?.mediaType !== 'string') throw new NotationError('MALFORMED_ENVELOPE', 'signature layer has no media type');
  const blob = blobs.find((b) => b.descriptor.digest === layer.digest) ?? blobs[0];
  if (!blob) throw new NotationError('MALFORMED_ENVELOPE', 'the signature envelope blob was not fetched');
  if (blob.bytes.length > MAX_ENVELOPE_BYTES) throw new NotationError('MALFORMED_ENVELOPE', `signature envelope larger than ${MAX_ENVELOPE_BYTES} bytes`);
  const subjectDigest = typeof m.subject?.digest === 'string' ? m.subject.digest : undefined;
  return { subjectDigest, envelopeMediaType: layer.mediaType, envelope: blob.bytes };
}
