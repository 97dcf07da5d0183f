/**
 * Issuance without OpenSSL's X509_check_issued, which also demands keyCertSign on the issuer
 * and so rejects self-signed signing certificates (allowed by the Notary spec). Names are
 * compared as DER (RFC 5280 §7.1 allows binary comparison for certificates from one issuer).
 */
import type { X509Certificate } from 'node:crypto';
import { decodeDer } from '../../../shared/asn1/decode-der.js';
import { memoByCertificate, publicKeyOf } from './certificate-memo.js';

/** Answers per (child, parent) certificate object pair: the same chain comes with every signature of a signer. */
const issuedBy = memoByCertificate(() => new WeakMap<X509Certificate, boolean>());

/** `child` names `parent` as issuer and carries a signature `parent`'s key verifies. */
export function isIssuedBy(child: X509Certificate, parent: X509Certificate): boolean {
  const known = issuedBy(child);
  let answer = known.get(parent);
  if (answer === undefined) {
    answer = checkIssuedBy(child, parent);
    known.set(parent, answer);
  }
  return answer;
}

function checkIssuedBy(child: X509Certificate, parent: X509Certificate): boolean {
  try {
    const c = names(child);
    const p = names(parent);
    return Buffer.from(c.issuer).equals(Buffer.from(p.subject)) && child.verify(publicKeyOf(parent));
  } catch {
    return false;
  }
}

export function isSelfSigned(cert: X509Certificate): boolean {
  return isIssuedBy(cert, cert);
}

function names(cert: X509Certificate): { issuer: Uint8Array; subject: Uint8Array } {
  const tbs = decodeDer(cert.raw).children[0]?.children ?? [];
  // tbsCertificate: [0] version?, serialNumber, signature, issuer, validity, subject, …
  const off = tbs[0]?.cls === 2 ? 1 : 0;
  const issuer = tbs[off + 2];
  const subject = tbs[off + 4];
  if (!issuer || !subject) throw new Error('malformed tbsCertificate');
  return { issuer: issuer.raw, subject: subject.raw };
}
