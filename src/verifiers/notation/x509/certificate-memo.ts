/**
 * Every signature of one signer carries the same certificate chain. Parsing it, and checking
 * what depends on its bytes alone (extensions, key algorithm, issuance signatures), is done
 * once per certificate instead of once per signature (issue 15: server CPU of a cold Pod).
 * Parsed certificates are keyed by their exact DER bytes and bounded (LRU), so input can churn
 * the memo but never grow it; facts derived from a certificate hang off its object (WeakMap)
 * and go with it. Nothing here depends on time, trust stores or policy: those checks still run
 * on every signature.
 */
import { X509Certificate, type KeyObject } from 'node:crypto';
import { LRUCache } from 'lru-cache';

/** Distinct certificates remembered; a few signers' chains, with room to spare. */
const MAX_CERTIFICATES = 256;
const parsed = new LRUCache<string, X509Certificate>({ max: MAX_CERTIFICATES });

/** The certificate of these DER bytes (throws as `new X509Certificate` does); one object per distinct DER. */
export function parseCertificate(der: Uint8Array): X509Certificate {
  const key = Buffer.from(der.buffer, der.byteOffset, der.byteLength).toString('base64');
  let cert = parsed.get(key);
  if (!cert) {
    cert = new X509Certificate(der);
    parsed.set(key, cert);
  }
  return cert;
}

/** `compute(cert)` once per certificate object; a throw is not remembered. */
export function memoByCertificate<T>(compute: (cert: X509Certificate) => T): (cert: X509Certificate) => T {
  const memo = new WeakMap<X509Certificate, T>();
  return (cert) => {
    if (memo.has(cert)) return memo.get(cert) as T;
    const value = compute(cert);
    memo.set(cert, value);
    return value;
  };
}

/** The certificate's public key (node builds a new KeyObject on every `publicKey` read). */
export const publicKeyOf: (cert: X509Certificate) => KeyObject = memoByCertificate((cert) => cert.publicKey);
