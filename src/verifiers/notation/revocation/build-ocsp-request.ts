/**
 * An OCSP request for one certificate (RFC 6960 §4.1.1), DER, with a nonce (RFC 8954): the
 * CertID hashes the issuer's name and public key with SHA-1, which every responder accepts
 * (RFC 5019 §2.1.1).
 */
import { createHash, randomBytes, type X509Certificate } from 'node:crypto';
import { derIntegerBytes, derNull, derOctetString, derOid, derSequence, derTlv } from '../../../shared/asn1/encode-der.js';
import { readCertificateParts } from './certificate-parts.js';

export const OID_SHA1 = '1.3.14.3.2.26';
export const OID_OCSP_NONCE = '1.3.6.1.5.5.7.48.1.2';

export interface OcspCertId {
  readonly issuerNameHash: Buffer;
  readonly issuerKeyHash: Buffer;
  /** Serial number value octets. */
  readonly serial: Buffer;
}

export interface OcspRequest {
  readonly der: Uint8Array;
  readonly certId: OcspCertId;
  readonly nonce: Buffer;
}

export function ocspCertId(cert: X509Certificate, issuer: X509Certificate): OcspCertId {
  const c = readCertificateParts(cert);
  const i = readCertificateParts(issuer);
  return {
    issuerNameHash: createHash('sha1').update(c.issuerName).digest(),
    issuerKeyHash: createHash('sha1').update(i.publicKeyBits).digest(),
    serial: Buffer.from(c.serial),
  };
}

export function buildOcspRequest(cert: X509Certificate, issuer: X509Certificate, nonce: Buffer = randomBytes(16)): OcspRequest {
  const certId = ocspCertId(cert, issuer);
  const certIdDer = derSequence(derSequence(derOid(OID_SHA1), derNull()), derOctetString(certId.issuerNameHash), derOctetString(certId.issuerKeyHash), derIntegerBytes(certId.serial));
  // requestExtensions [2] EXPLICIT Extensions: the nonce extension's value is an OCTET STRING.
  const nonceExt = derSequence(derOid(OID_OCSP_NONCE), derOctetString(derOctetString(nonce)));
  const tbsRequest = derSequence(derSequence(derSequence(certIdDer)), derTlv(0xa2, derSequence(nonceExt)));
  return { der: derSequence(tbsRequest), certId, nonce };
}
