/**
 * Reads the X.509 v3 extensions the Notary Project certificate requirements talk about
 * (RFC 5280 §4.2.1.3 keyUsage, §4.2.1.9 basicConstraints, §4.2.1.12 extKeyUsage), which
 * node's X509Certificate does not expose with their critical flags and bits.
 */
import type { X509Certificate } from 'node:crypto';
import { decodeDer, type DerNode } from '../../../shared/asn1/decode-der.js';
import { contextChild, DER_TAG, expectTag, readBitString, readBoolean, readInteger, readOctetString, readOid } from '../../../shared/asn1/der-values.js';
import { memoByCertificate } from './certificate-memo.js';

export const EKU = {
  serverAuth: '1.3.6.1.5.5.7.3.1',
  clientAuth: '1.3.6.1.5.5.7.3.2',
  codeSigning: '1.3.6.1.5.5.7.3.3',
  emailProtection: '1.3.6.1.5.5.7.3.4',
  timeStamping: '1.3.6.1.5.5.7.3.8',
  ocspSigning: '1.3.6.1.5.5.7.3.9',
  any: '2.5.29.37.0',
} as const;

/** KeyUsage bit names in bit order (RFC 5280 §4.2.1.3). */
export const KEY_USAGE_BITS = [
  'digitalSignature', 'contentCommitment', 'keyEncipherment', 'dataEncipherment', 'keyAgreement',
  'keyCertSign', 'cRLSign', 'encipherOnly', 'decipherOnly',
] as const;
export type KeyUsage = (typeof KEY_USAGE_BITS)[number];

export interface CertificateExtensions {
  readonly keyUsage?: { readonly critical: boolean; readonly usages: ReadonlySet<KeyUsage> } | undefined;
  readonly extKeyUsage?: { readonly critical: boolean; readonly oids: readonly string[] } | undefined;
  readonly basicConstraints?: { readonly critical: boolean; readonly ca: boolean; readonly pathLen?: number | undefined } | undefined;
  /** Where revocation status is published: CRL distribution points (§4.2.1.13), OCSP in AIA (§4.2.2.1). */
  readonly revocation: { readonly crl: boolean; readonly ocsp: boolean };
  /** Critical extensions present in the certificate, by OID. */
  readonly critical: readonly string[];
}

const OID = {
  keyUsage: '2.5.29.15', basicConstraints: '2.5.29.19', extKeyUsage: '2.5.29.37',
  crlDistributionPoints: '2.5.29.31', authorityInfoAccess: '1.3.6.1.5.5.7.1.1', ocsp: '1.3.6.1.5.5.7.48.1',
} as const;

/** The extensions of a certificate, decoded once per certificate (certificate-memo.ts); throws on malformed DER. */
export const readCertificateExtensions: (cert: X509Certificate) => CertificateExtensions = memoByCertificate(decodeCertificateExtensions);

function decodeCertificateExtensions(cert: X509Certificate): CertificateExtensions {
  const der = decodeDer(cert.raw);
  const tbs = expectTag(der.children[0], DER_TAG.SEQUENCE, 'tbsCertificate');
  const extsWrapper = contextChild(tbs, 3);
  const result: { -readonly [K in keyof CertificateExtensions]: CertificateExtensions[K] } = { critical: [], revocation: { crl: false, ocsp: false } };
  if (!extsWrapper) return result;
  const critical: string[] = [];
  for (const ext of expectTag(extsWrapper.children[0], DER_TAG.SEQUENCE, 'extensions').children) {
    const oid = readOid(ext.children[0], 'extnID');
    const hasCritical = ext.children.length === 3;
    const isCritical = hasCritical ? readBoolean(ext.children[1], 'critical') : false;
    const value = decodeDer(readOctetString(ext.children[hasCritical ? 2 : 1], 'extnValue'));
    if (isCritical) critical.push(oid);
    if (oid === OID.keyUsage) result.keyUsage = { critical: isCritical, usages: keyUsages(value) };
    else if (oid === OID.extKeyUsage) result.extKeyUsage = { critical: isCritical, oids: expectTag(value, DER_TAG.SEQUENCE, 'extKeyUsage').children.map((c) => readOid(c, 'KeyPurposeId')) };
    else if (oid === OID.basicConstraints) result.basicConstraints = { critical: isCritical, ...basicConstraints(value) };
    else if (oid === OID.crlDistributionPoints) result.revocation = { ...result.revocation, crl: true };
    else if (oid === OID.authorityInfoAccess) {
      const ocsp = expectTag(value, DER_TAG.SEQUENCE, 'authorityInfoAccess').children.some((ad) => readOid(ad.children[0], 'accessMethod') === OID.ocsp);
      result.revocation = { ...result.revocation, ocsp };
    }
  }
  result.critical = critical;
  return result;
}

function keyUsages(node: DerNode): Set<KeyUsage> {
  const { bytes } = readBitString(node, 'keyUsage');
  const out = new Set<KeyUsage>();
  KEY_USAGE_BITS.forEach((name, i) => {
    const byte = bytes[i >> 3] ?? 0;
    if (byte & (0x80 >> (i & 7))) out.add(name);
  });
  return out;
}

function basicConstraints(node: DerNode): { ca: boolean; pathLen?: number } {
  const seq = expectTag(node, DER_TAG.SEQUENCE, 'basicConstraints');
  let ca = false;
  let pathLen: number | undefined;
  for (const c of seq.children) {
    if (c.cls === 0 && c.tag === DER_TAG.BOOLEAN) ca = readBoolean(c, 'cA');
    else if (c.cls === 0 && c.tag === DER_TAG.INTEGER) {
      const n = readInteger(c, 'pathLenConstraint');
      if (n < 0n || n > 1000n) throw new Error('pathLenConstraint out of range');
      pathLen = Number(n);
    }
  }
  return pathLen === undefined ? { ca } : { ca, pathLen };
}
