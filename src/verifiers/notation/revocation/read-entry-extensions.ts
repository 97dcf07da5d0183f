/**
 * Extensions of a CRL entry or an OCSP SingleResponse: the reason code (RFC 5280 §5.3.1) and
 * the invalidity date (§5.3.2). Another critical extension makes the entry unusable.
 */
import { decodeDer, type DerNode } from '../../../shared/asn1/decode-der.js';
import { DER_TAG, expectTag, readBoolean, readOctetString, readOid, readTime } from '../../../shared/asn1/der-values.js';
import { RevocationError } from './revocation-error.js';
import { CRL_REASONS } from './revocation-status.js';

const OID_REASON = '2.5.29.21';
const OID_INVALIDITY_DATE = '2.5.29.24';

export interface EntryExtensions {
  readonly reason?: string | undefined;
  readonly invalidityDate?: Date | undefined;
}

export function readEntryExtensions(extensions: DerNode | undefined, what: string): EntryExtensions {
  const out: { reason?: string; invalidityDate?: Date } = {};
  for (const ext of extensions ? expectTag(extensions, DER_TAG.SEQUENCE, `${what} extensions`).children : []) {
    const oid = readOid(ext.children[0], 'extnID');
    const critical = ext.children.length === 3 && readBoolean(ext.children[1], 'critical');
    const value = readOctetString(ext.children[ext.children.length - 1], 'extnValue');
    if (oid === OID_REASON) out.reason = reasonName(decodeDer(value));
    else if (oid === OID_INVALIDITY_DATE) out.invalidityDate = readTime(decodeDer(value), 'invalidityDate');
    else if (critical) throw new RevocationError('UNSUPPORTED', `${what} has an unknown critical extension ${oid}`);
  }
  return out;
}

/** CRLReason ::= ENUMERATED. */
export function reasonName(node: DerNode): string {
  if (node.cls !== 0 || node.tag !== 10 || node.value.length !== 1) throw new RevocationError('MALFORMED', 'CRLReason is not a one-octet ENUMERATED');
  return CRL_REASONS[node.value[0] ?? 0] ?? `reason ${node.value[0]}`;
}
