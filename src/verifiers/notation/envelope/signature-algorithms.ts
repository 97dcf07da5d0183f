/**
 * Algorithm selection: https://github.com/notaryproject/specifications/blob/main/specs/signature-specification.md#algorithm-selection
 * The key of the signing certificate fixes the algorithm: RSA 2048/3072/4096 → PS256/384/512
 * (salt length = hash length), EC P-256/384/521 → ES256/384/512.
 */
import { constants, verify as cryptoVerify, type X509Certificate } from 'node:crypto';
import type { SignatureAlgorithm } from './signed-envelope.js';
import { memoByCertificate, publicKeyOf } from '../x509/certificate-memo.js';

const HASH: Record<SignatureAlgorithm, string> = {
  PS256: 'sha256', PS384: 'sha384', PS512: 'sha512', ES256: 'sha256', ES384: 'sha384', ES512: 'sha512',
};

export function isSignatureAlgorithm(alg: unknown): alg is SignatureAlgorithm {
  return typeof alg === 'string' && Object.hasOwn(HASH, alg);
}

/** COSE algorithm identifiers (RFC 9053 §2.1, RFC 8230 §2). */
export const COSE_ALGORITHMS: ReadonlyMap<number, SignatureAlgorithm> = new Map([
  [-37, 'PS256'], [-38, 'PS384'], [-39, 'PS512'], [-7, 'ES256'], [-35, 'ES384'], [-36, 'ES512'],
]);

/** The algorithm the certificate's key requires, or a reason it is not an allowed key (once per certificate). */
export const algorithmForKey: (cert: X509Certificate) => SignatureAlgorithm | string = memoByCertificate(keyAlgorithm);

function keyAlgorithm(cert: X509Certificate): SignatureAlgorithm | string {
  const key = publicKeyOf(cert);
  const d = key.asymmetricKeyDetails ?? {};
  if (key.asymmetricKeyType === 'rsa') {
    switch (d.modulusLength) {
      case 2048: return 'PS256';
      case 3072: return 'PS384';
      case 4096: return 'PS512';
      default: return `RSA key size ${d.modulusLength} is not supported (2048, 3072 or 4096)`;
    }
  }
  if (key.asymmetricKeyType === 'ec') {
    switch (d.namedCurve) {
      case 'prime256v1': return 'ES256';
      case 'secp384r1': return 'ES384';
      case 'secp521r1': return 'ES512';
      default: return `EC curve ${d.namedCurve} is not supported (P-256, P-384 or P-521)`;
    }
  }
  return `key type ${key.asymmetricKeyType} is not supported`;
}

/**
 * Verifies a raw envelope signature. ECDSA signatures are the fixed-size r||s form in both
 * JWS (RFC 7518 §3.4) and COSE (RFC 9053 §2.1), which node reads as `ieee-p1363`.
 */
export function verifyRawSignature(alg: SignatureAlgorithm, cert: X509Certificate, data: Uint8Array, signature: Uint8Array): boolean {
  const key = publicKeyOf(cert);
  try {
    if (alg.startsWith('PS')) {
      return cryptoVerify(HASH[alg], data, { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: constants.RSA_PSS_SALTLEN_DIGEST }, signature);
    }
    return cryptoVerify(HASH[alg], data, { key, dsaEncoding: 'ieee-p1363' }, signature);
  } catch {
    return false;
  }
}
