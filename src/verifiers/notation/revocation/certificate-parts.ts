/**
 * The pieces of an X.509 certificate revocation checking needs and node's X509Certificate does
 * not give as bytes: the DER issuer and subject names, the serial's value octets, the subject
 * public key BIT STRING, and where status is published — OCSP responders in Authority
 * Information Access (RFC 5280 §4.2.2.1) and CRL distribution points (§4.2.1.13), as URLs.
 */
import type { X509Certificate } from 'node:crypto';
import { decodeDer, type DerNode } from '../../../shared/asn1/decode-der.js';
import { contextChild, DER_TAG, expectTag, readBitString, readBoolean, readOctetString, readOid } from '../../../shared/asn1/der-values.js';

const OID_AIA = '1.3.6.1.5.5.7.1.1';
const OID_OCSP = '1.3.6.1.5.5.7.48.1';
const OID_CRL_DP = '2.5.29.31';
/** Most URLs taken from one extension: a certificate naming more is not worth more requests. */
const MAX_URLS = 4;

export interface CertificateParts {
  readonly issuerName: Uint8Array;
  readonly subjectName: Uint8Array;
  /** The serial number's INTEGER value octets. */
  readonly serial: Uint8Array;
  /** The subjectPublicKey BIT STRING's bits (what an OCSP issuerKeyHash hashes). */
  readonly publicKeyBits: Uint8Array;
  readonly ocspUrls: readonly string[];
  readonly crlUrls: readonly string[];
}

export function readCertificateParts(cert: X509Certificate): CertificateParts {
  const tbs = expectTag(decodeDer(cert.raw).children[0], DER_TAG.SEQUENCE, 'tbsCertificate');
  // tbsCertificate: [0] version?, serialNumber, signature, issuer, validity, subject, subjectPublicKeyInfo, …
  const off = tbs.children[0]?.cls === 2 ? 1 : 0;
  const serial = expectTag(tbs.children[off], DER_TAG.INTEGER, 'serialNumber').value;
  const issuer = expectTag(tbs.children[off + 2], DER_TAG.SEQUENCE, 'issuer');
  const subject = expectTag(tbs.children[off + 4], DER_TAG.SEQUENCE, 'subject');
  const spki = expectTag(tbs.children[off + 5], DER_TAG.SEQUENCE, 'subjectPublicKeyInfo');
  const { bytes: publicKeyBits } = readBitString(spki.children[1], 'subjectPublicKey');
  const ocspUrls: string[] = [];
  const crlUrls: string[] = [];
  const exts = contextChild(tbs, 3);
  for (const ext of exts ? expectTag(exts.children[0], DER_TAG.SEQUENCE, 'extensions').children : []) {
    const oid = readOid(ext.children[0], 'extnID');
    const hasCritical = ext.children.length === 3;
    if (hasCritical) readBoolean(ext.children[1], 'critical');
    if (oid !== OID_AIA && oid !== OID_CRL_DP) continue;
    const value = decodeDer(readOctetString(ext.children[hasCritical ? 2 : 1], 'extnValue'));
    if (oid === OID_AIA) {
      for (const ad of expectTag(value, DER_TAG.SEQUENCE, 'authorityInfoAccess').children) {
        if (readOid(ad.children[0], 'accessMethod') === OID_OCSP) pushUri(ad.children[1], ocspUrls);
      }
    } else {
      for (const dp of expectTag(value, DER_TAG.SEQUENCE, 'cRLDistributionPoints').children) {
        // DistributionPoint ::= SEQUENCE { distributionPoint [0] { fullName [0] GeneralNames } … }
        const fullName = contextChild(contextChild(dp, 0) ?? dp, 0);
        for (const name of fullName?.children ?? []) pushUri(name, crlUrls);
      }
    }
  }
  return { issuerName: issuer.raw, subjectName: subject.raw, serial, publicKeyBits, ocspUrls, crlUrls };
}

/** GeneralName uniformResourceIdentifier is [6] IA5String (implicit). */
function pushUri(name: DerNode | undefined, out: string[]): void {
  if (!name || name.cls !== 2 || name.tag !== 6 || out.length >= MAX_URLS) return;
  const text = Buffer.from(name.value).toString('latin1');
  if (text.length <= 2048) out.push(text);
}
