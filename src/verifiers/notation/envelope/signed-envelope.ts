/**
 * What both envelope formats (JWS and COSE) boil down to: the Notary Project "signer info"
 * (https://github.com/notaryproject/specifications/blob/main/specs/signature-specification.md#signature-envelope).
 */
import type { X509Certificate } from 'node:crypto';

export type EnvelopeType = 'jws' | 'cose';
export type SigningScheme = 'notary.x509' | 'notary.x509.signingAuthority';
export type SignatureAlgorithm = 'PS256' | 'PS384' | 'PS512' | 'ES256' | 'ES384' | 'ES512';

export interface SignedEnvelope {
  readonly envelopeType: EnvelopeType;
  readonly algorithm: SignatureAlgorithm;
  readonly signingScheme: SigningScheme;
  /** `io.cncf.notary.signingTime` (notary.x509) or `io.cncf.notary.authenticSigningTime` (signingAuthority). */
  readonly signingTime: Date;
  readonly expiry?: Date | undefined;
  /** Leaf first, root last (`x5c` / `x5chain`). */
  readonly certificateChain: readonly X509Certificate[];
  /** Raw payload bytes (the JSON with `targetArtifact`). */
  readonly payload: Uint8Array;
  readonly payloadContentType: string;
  /** The bytes the signature is computed over (JWS signing input / COSE Sig_structure). */
  readonly signedBytes: Uint8Array;
  /** Raw signature value; RFC 3161 timestamps are computed over it. */
  readonly signature: Uint8Array;
  /** DER of the RFC 3161 TimeStampToken (`io.cncf.notary.timestampSignature`), when present. */
  readonly timestampToken?: Uint8Array | undefined;
  readonly signingAgent?: string | undefined;
  readonly verificationPlugin?: string | undefined;
}
