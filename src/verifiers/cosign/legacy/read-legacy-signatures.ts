/**
 * Reads a Cosign `.sig` manifest (the `sha256-<hex>.sig` tag): one layer per signature, each a
 * simple-signing payload with the signature and its verification material in annotations.
 * Format: https://github.com/sigstore/cosign/blob/main/specs/SIGNATURE_SPEC.md
 * A `.att` manifest (`sha256-<hex>.att`) has the same shape, but each layer is a DSSE envelope
 * (https://github.com/secure-systems-lab/dsse/blob/master/envelope.md) holding an in-toto
 * statement and its own signature; the signature annotation is then empty.
 * Format: https://github.com/sigstore/cosign/blob/main/specs/ATTESTATION_SPEC.md
 */
import { createHash } from 'node:crypto';
import type { ReferrerArtifact } from '../../verifier.js';
import { CosignError } from '../cosign-error.js';
import { parseJson } from '../parse-json.js';

/** The media type of a `.att` layer (https://github.com/secure-systems-lab/dsse/blob/master/envelope.md). */
export const DSSE_ENVELOPE_LAYER = 'application/vnd.dsse.envelope.v1+json';

export const ANNOTATION_SIGNATURE = 'dev.cosignproject.cosign/signature';
export const ANNOTATION_CERTIFICATE = 'dev.sigstore.cosign/certificate';
export const ANNOTATION_CHAIN = 'dev.sigstore.cosign/chain';
export const ANNOTATION_BUNDLE = 'dev.sigstore.cosign/bundle';
export const ANNOTATION_RFC3161 = 'dev.sigstore.cosign/rfc3161timestamp';

/** Upper bounds for attacker-controlled input. */
const MAX_LAYERS = 64;
const MAX_PAYLOAD_BYTES = 256 * 1024;
const MAX_SIGNATURE_BYTES = 16 * 1024;
const MAX_ENVELOPE_SIGNATURES = 16;

/** What a manifest's layers hold: simple-signing payloads (`.sig`) or DSSE envelopes (`.att`). */
export type LegacyKind =
  | { readonly kind: 'sig' }
  /**
   * `maxStatementBytes` bounds the statement an envelope may carry; the envelope blob is refused
   * when it is larger than such a statement can make it (base64 plus signatures); the decoded
   * statement is bounded again when it is parsed.
   */
  | { readonly kind: 'att'; readonly maxStatementBytes: number };

/** A DSSE envelope of a `.att` layer, decoded. */
export interface DsseEnvelope {
  readonly payloadType: string;
  readonly payload: Buffer;
  readonly signatures: readonly { readonly keyid: string; readonly sig: Buffer }[];
}

/** The Rekor "bundle" annotation: a SignedEntryTimestamp over the entry's log metadata. */
export interface LegacyRekorBundle {
  readonly signedEntryTimestamp: Buffer;
  /** The canonicalized Rekor entry body (JSON). */
  readonly body: Buffer;
  readonly integratedTime: number;
  readonly logIndex: number;
  /** Hex SHA-256 of the log's public key. */
  readonly logId: string;
}

export interface LegacySignature {
  /** Layer index in the `.sig` manifest. */
  readonly index: number;
  readonly payload: Buffer;
  readonly signature: Buffer;
  readonly certificatePem?: string | undefined;
  readonly chainPem?: string | undefined;
  readonly rekorBundle?: LegacyRekorBundle | undefined;
  /** DER RFC 3161 timestamp token over the raw signature bytes. */
  readonly rfc3161Timestamp?: Buffer<ArrayBuffer> | undefined;
  /** `.att` layers: the envelope `payload` holds; `signature` is then its first signature. */
  readonly envelope?: DsseEnvelope | undefined;
}

export type LegacyLayer = { readonly index: number; readonly signature: LegacySignature } | { readonly index: number; readonly error: CosignError };

interface ManifestLayer {
  readonly mediaType?: unknown;
  readonly digest?: unknown;
  readonly size?: unknown;
  readonly annotations?: unknown;
}

/**
 * Splits a `.sig` artifact into its signatures. A whole-artifact problem (not a manifest, no
 * layers) throws MALFORMED; a problem with one layer is returned as that layer's error so the
 * others can still satisfy the policy.
 */
export function readLegacySignatures(artifact: ReferrerArtifact, kind: LegacyKind = { kind: 'sig' }): LegacyLayer[] {
  const manifest = parseJson(artifact.manifest.bytes, `the .${kind.kind} manifest`, 4 * 1024 * 1024) as { layers?: unknown };
  if (!Array.isArray(manifest.layers) || manifest.layers.length === 0) {
    throw new CosignError('MALFORMED', `the .${kind.kind} manifest has no layers`);
  }
  if (manifest.layers.length > MAX_LAYERS) {
    throw new CosignError('MALFORMED', `the .${kind.kind} manifest has ${manifest.layers.length} layers, more than ${MAX_LAYERS}`);
  }
  return (manifest.layers as ManifestLayer[]).map((layer, index) => {
    try {
      return { index, signature: readLayer(layer, index, artifact, kind) };
    } catch (err) {
      const error = err instanceof CosignError ? err : new CosignError('MALFORMED', `layer ${index}: ${(err as Error).message}`, { cause: err });
      return { index, error };
    }
  });
}

function readLayer(layer: ManifestLayer, index: number, artifact: ReferrerArtifact, kind: LegacyKind): LegacySignature {
  if (typeof layer !== 'object' || layer === null || typeof layer.digest !== 'string') {
    throw new CosignError('MALFORMED', `layer ${index} has no digest`);
  }
  const annotations = stringRecord(layer.annotations);
  const blob = artifact.blobs[index];
  if (!blob) throw new CosignError('MALFORMED', `layer ${index}: its payload blob was not fetched`);
  if (kind.kind === 'sig' && blob.bytes.length > MAX_PAYLOAD_BYTES) throw new CosignError('MALFORMED', `layer ${index}: payload larger than ${MAX_PAYLOAD_BYTES} bytes`);
  if (kind.kind === 'att' && blob.bytes.length > maxEnvelopeBytes(kind.maxStatementBytes)) {
    throw new CosignError(
      'STATEMENT_TOO_LARGE',
      `layer ${index}: the DSSE envelope is ${blob.bytes.length} bytes, more than a statement within statementLimits.maxBytes (${kind.maxStatementBytes}) makes it`,
    );
  }
  // The pipeline digest-checks blobs against their own descriptor; check again against this
  // layer's digest so a blob list out of step with the manifest cannot pass for it.
  const actual = `sha256:${createHash('sha256').update(blob.bytes).digest('hex')}`;
  if (layer.digest !== actual) {
    throw new CosignError('BLOB_DIGEST_MISMATCH', `layer ${index}: payload hashes to ${actual}, the manifest says ${layer.digest}`);
  }
  const envelope = kind.kind === 'att' ? readEnvelope(blob.bytes, index) : undefined;
  const b64 = annotations[ANNOTATION_SIGNATURE];
  if (!envelope && !b64) throw new CosignError('MALFORMED', `layer ${index}: no ${ANNOTATION_SIGNATURE} annotation`);
  const signature = envelope ? (envelope.signatures[0]?.sig ?? Buffer.alloc(0)) : decodeBase64(b64 ?? '', `layer ${index}: ${ANNOTATION_SIGNATURE}`);
  if (signature.length === 0 || signature.length > MAX_SIGNATURE_BYTES) throw new CosignError('MALFORMED', `layer ${index}: signature has an implausible size`);
  const bundle = annotations[ANNOTATION_BUNDLE];
  const rfc3161 = annotations[ANNOTATION_RFC3161];
  return {
    index,
    payload: Buffer.from(blob.bytes),
    signature,
    certificatePem: annotations[ANNOTATION_CERTIFICATE] || undefined,
    chainPem: annotations[ANNOTATION_CHAIN] || undefined,
    rekorBundle: bundle ? readRekorBundle(bundle, index) : undefined,
    rfc3161Timestamp: rfc3161 ? readRfc3161(rfc3161, index) : undefined,
    ...(envelope ? { envelope } : {}),
  };
}

/** A statement of `n` bytes, base64-encoded, plus room for the envelope's fields and signatures. */
function maxEnvelopeBytes(n: number): number {
  return Math.ceil(n / 3) * 4 + 64 * 1024;
}

function readEnvelope(bytes: Uint8Array, index: number): DsseEnvelope {
  const where = `layer ${index}: DSSE envelope`;
  const json = parseJson(bytes, where, bytes.length) as { payloadType?: unknown; payload?: unknown; signatures?: unknown };
  if (typeof json.payloadType !== 'string' || typeof json.payload !== 'string' || !Array.isArray(json.signatures)) {
    throw new CosignError('MALFORMED', `${where}: needs payloadType, payload and signatures`);
  }
  if (json.signatures.length === 0 || json.signatures.length > MAX_ENVELOPE_SIGNATURES) {
    throw new CosignError('MALFORMED', `${where}: has ${json.signatures.length} signatures (1 to ${MAX_ENVELOPE_SIGNATURES} accepted)`);
  }
  const signatures = (json.signatures as unknown[]).map((raw, i) => {
    const s = (typeof raw === 'object' && raw !== null ? raw : {}) as { keyid?: unknown; sig?: unknown };
    if (typeof s.sig !== 'string') throw new CosignError('MALFORMED', `${where}: signature ${i} has no sig`);
    const sig = decodeBase64(s.sig, `${where}: signature ${i}`);
    if (sig.length === 0 || sig.length > MAX_SIGNATURE_BYTES) throw new CosignError('MALFORMED', `${where}: signature ${i} has an implausible size`);
    return { keyid: typeof s.keyid === 'string' ? s.keyid : '', sig };
  });
  return { payloadType: json.payloadType, payload: decodeBase64(json.payload, `${where}: payload`), signatures };
}

function readRekorBundle(text: string, index: number): LegacyRekorBundle {
  const where = `layer ${index}: ${ANNOTATION_BUNDLE}`;
  const json = parseJson(Buffer.from(text, 'utf8'), where, 256 * 1024) as { SignedEntryTimestamp?: unknown; Payload?: Record<string, unknown> };
  const p = json.Payload;
  if (typeof json.SignedEntryTimestamp !== 'string' || typeof p !== 'object' || p === null) {
    throw new CosignError('MALFORMED', `${where}: needs SignedEntryTimestamp and Payload`);
  }
  const { body, integratedTime, logIndex, logID } = p;
  if (typeof body !== 'string' || typeof logID !== 'string' || !/^[0-9a-f]{64}$/.test(logID) || !isSafeCount(integratedTime) || !isSafeCount(logIndex)) {
    throw new CosignError('MALFORMED', `${where}: Payload needs body, integratedTime, logIndex and a hex logID`);
  }
  return {
    signedEntryTimestamp: decodeBase64(json.SignedEntryTimestamp, `${where}: SignedEntryTimestamp`),
    body: decodeBase64(body, `${where}: body`),
    integratedTime,
    logIndex,
    logId: logID,
  };
}

function readRfc3161(text: string, index: number): Buffer<ArrayBuffer> {
  const where = `layer ${index}: ${ANNOTATION_RFC3161}`;
  const json = parseJson(Buffer.from(text, 'utf8'), where, 64 * 1024) as { SignedRFC3161Timestamp?: unknown };
  if (typeof json.SignedRFC3161Timestamp !== 'string') throw new CosignError('MALFORMED', `${where}: needs SignedRFC3161Timestamp`);
  return decodeBase64(json.SignedRFC3161Timestamp, where);
}

function isSafeCount(v: unknown): v is number {
  return typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
}

function stringRecord(v: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (typeof v !== 'object' || v === null) return out;
  for (const [k, val] of Object.entries(v)) if (typeof val === 'string') out[k] = val;
  return out;
}

/** Strict standard base64: Buffer.from(…, 'base64') would silently skip garbage. */
export function decodeBase64(text: string, where: string): Buffer<ArrayBuffer> {
  const clean = text.trim();
  if (!/^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/.test(clean)) {
    throw new CosignError('MALFORMED', `${where}: not base64`);
  }
  return Buffer.from(clean, 'base64');
}
