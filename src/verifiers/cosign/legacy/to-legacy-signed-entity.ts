/**
 * Maps one Cosign `.sig` layer onto sigstore-js's SignedEntity, so the cryptography (signature,
 * certificate chain, SCTs, Rekor SignedEntryTimestamp and entry body, RFC 3161 timestamps) is
 * done by @sigstore/verify exactly as for a Sigstore bundle.
 */
import { createHash, verify as cryptoVerify, type KeyObject } from 'node:crypto';
import type { Bundle, TransparencyLogEntry } from '@sigstore/bundle';
import { RFC3161Timestamp, X509Certificate, pem } from '@sigstore/core';
import { toSignedEntity, type SignedEntity } from '@sigstore/verify';
import { CosignError } from '../cosign-error.js';
import { parseJson } from '../parse-json.js';
import type { DsseEnvelope, LegacyRekorBundle, LegacySignature } from './read-legacy-signatures.js';

type SignatureContent = SignedEntity['signature'];

/** The signature over the raw simple-signing payload bytes (Cosign signs SHA-256 of them). */
class LegacySignatureContent implements SignatureContent {
  readonly signature: Buffer;
  private readonly payload: Buffer;
  private readonly payloadDigest: Buffer;

  constructor(payload: Buffer, signature: Buffer) {
    this.payload = payload;
    this.signature = signature;
    this.payloadDigest = createHash('sha256').update(payload).digest();
  }

  compareSignature(signature: Buffer): boolean {
    return signature.equals(this.signature);
  }

  compareDigest(digest: Buffer): boolean {
    return digest.equals(this.payloadDigest);
  }

  compareSignedDigest(digest: Buffer): boolean {
    return this.compareDigest(digest);
  }

  verifySignature(key: KeyObject): boolean {
    // Ed25519 signs the message itself (no pre-hash); ECDSA and RSA PKCS#1 v1.5 use SHA-256.
    const algorithm = key.asymmetricKeyType === 'ed25519' ? null : 'sha256';
    try {
      return cryptoVerify(algorithm, this.payload, key, this.signature);
    } catch {
      return false;
    }
  }
}

export function toLegacySignedEntity(sig: LegacySignature): SignedEntity {
  const tlogEntries = sig.rekorBundle ? [toTlogEntry(sig.rekorBundle, sig.index)] : [];
  const timestamps: SignedEntity['timestamps'] = tlogEntries.map((tlogEntry) => ({ $case: 'transparency-log', tlogEntry }));
  if (sig.rfc3161Timestamp) {
    try {
      timestamps.push({ $case: 'timestamp-authority', timestamp: RFC3161Timestamp.parse(sig.rfc3161Timestamp) });
    } catch (err) {
      throw new CosignError('MALFORMED', `layer ${sig.index}: RFC 3161 timestamp: ${(err as Error).message}`, { cause: err });
    }
  }
  return {
    signature: sig.envelope ? dsseContent(sig.envelope) : new LegacySignatureContent(sig.payload, sig.signature),
    key: sig.certificatePem ? { $case: 'certificate', certificate: parseCertificate(sig.certificatePem, sig.index) } : { $case: 'public-key', hint: '' },
    tlogEntries,
    timestamps,
  };
}

/**
 * A `.att` layer signs the DSSE pre-authentication encoding of its envelope, exactly as a DSSE
 * Sigstore bundle does: sigstore-js's own DSSE signature content is used, through a bundle
 * that carries the envelope only (key, log entries and timestamps are the layer's, set above).
 */
function dsseContent(envelope: DsseEnvelope): SignatureContent {
  const bundle = {
    mediaType: 'application/vnd.dev.sigstore.bundle.v0.3+json',
    verificationMaterial: { content: { $case: 'publicKey', publicKey: { hint: '' } }, tlogEntries: [], timestampVerificationData: undefined },
    content: { $case: 'dsseEnvelope', dsseEnvelope: { payloadType: envelope.payloadType, payload: envelope.payload, signatures: envelope.signatures.slice(0, 1) } },
  } satisfies Bundle;
  return toSignedEntity(bundle).signature;
}

function parseCertificate(text: string, index: number): X509Certificate {
  try {
    return X509Certificate.parse(Buffer.from(pem.toDER(text)));
  } catch (err) {
    throw new CosignError('MALFORMED', `layer ${index}: certificate annotation: ${(err as Error).message}`, { cause: err });
  }
}

/** A Cosign Rekor bundle is a TransparencyLogEntry with an inclusion promise and no proof. */
function toTlogEntry(bundle: LegacyRekorBundle, index: number): TransparencyLogEntry {
  const body = parseJson(bundle.body, `layer ${index}: Rekor entry body`, 256 * 1024);
  if (typeof body.kind !== 'string' || typeof body.apiVersion !== 'string') {
    throw new CosignError('MALFORMED', `layer ${index}: Rekor entry body has no kind/apiVersion`);
  }
  return {
    logIndex: String(bundle.logIndex),
    logId: { keyId: Buffer.from(bundle.logId, 'hex') },
    kindVersion: { kind: body.kind, version: body.apiVersion },
    integratedTime: String(bundle.integratedTime),
    inclusionPromise: { signedEntryTimestamp: bundle.signedEntryTimestamp },
    inclusionProof: undefined,
    canonicalizedBody: bundle.body,
  };
}
