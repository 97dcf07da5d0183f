/**
 * The certificate subject as a DN map, decoded from DER (RFC 5280 §4.1.2.6) with the short
 * attribute names notation-go's identity comparison uses; other attributes by dotted OID.
 */
import type { X509Certificate } from 'node:crypto';
import { decodeDer, type DerNode } from '../../../shared/asn1/decode-der.js';
import { DER_TAG, expectTag, readOid } from '../../../shared/asn1/der-values.js';
import type { DistinguishedName } from './parse-distinguished-name.js';

const SHORT: Record<string, string> = {
  '2.5.4.3': 'CN', '2.5.4.6': 'C', '2.5.4.7': 'L', '2.5.4.8': 'ST', '2.5.4.10': 'O', '2.5.4.11': 'OU',
  '2.5.4.9': 'STREET', '2.5.4.17': 'POSTALCODE', '2.5.4.5': 'SERIALNUMBER',
};

/** Subject as a map; `null` when it has multi-valued RDNs or repeated attributes (unsupported for identities). */
export function readSubjectName(cert: X509Certificate): DistinguishedName | null {
  const tbs = expectTag(decodeDer(cert.raw).children[0], DER_TAG.SEQUENCE, 'tbsCertificate');
  // tbsCertificate: [0] version?, serial, signature alg, issuer, validity, subject, …
  const offset = tbs.children[0]?.cls === 2 ? 1 : 0;
  const subject = expectTag(tbs.children[offset + 4], DER_TAG.SEQUENCE, 'subject');
  const out = new Map<string, string>();
  for (const rdn of subject.children) {
    if (rdn.children.length !== 1) return null;
    const atv = rdn.children[0] as DerNode;
    const oid = readOid(atv.children[0], 'attribute type');
    const type = SHORT[oid] ?? oid;
    if (out.has(type)) return null;
    out.set(type, decodeString(atv.children[1]));
  }
  return out;
}

function decodeString(node: DerNode | undefined): string {
  if (!node) return '';
  if (node.tag === 30) {
    // BMPString: UTF-16BE
    const b = Buffer.from(node.value);
    if (b.length % 2 !== 0) return b.toString('latin1');
    b.swap16();
    return b.toString('utf16le');
  }
  return Buffer.from(node.value).toString(node.tag === 12 ? 'utf8' : 'latin1');
}
