/**
 * Checks a CRL for one certificate (RFC 5280 §5, §6.3; Notary Project trust policy spec
 * "Revocation Checking with CRL"): signed by the issuing CA, issued by it (issuer name), not
 * past `nextUpdate`, then the certificate's serial looked up. Base CRLs only: a delta CRL, an
 * indirect CRL or an unknown critical extension is UNSUPPORTED (revocation unavailable).
 */
import type { X509Certificate } from 'node:crypto';
import { decodeDer, type DerNode } from '../../../shared/asn1/decode-der.js';
import { contextChild, DER_TAG, expectTag, readBoolean, readOid, readTime } from '../../../shared/asn1/der-values.js';
import type { CertificateParts } from './certificate-parts.js';
import { readEntryExtensions } from './read-entry-extensions.js';
import { RevocationError } from './revocation-error.js';
import type { RevocationStatus } from './revocation-status.js';
import { verifyX509Signature } from './verify-x509-signature.js';

const OID_DELTA_CRL_INDICATOR = '2.5.29.27';
const OID_ISSUING_DISTRIBUTION_POINT = '2.5.29.28';
/** Non-critical CRL extensions understood (authority key id, CRL number, freshest CRL, AIA). */
const KNOWN_CRL_EXTENSIONS = new Set(['2.5.29.35', '2.5.29.20', '2.5.29.46', '1.3.6.1.5.5.7.1.1']);
const SKEW_MS = 5 * 60 * 1000;

export interface CrlCheck {
  readonly cert: CertificateParts;
  readonly issuer: X509Certificate;
  readonly issuerParts: CertificateParts;
  readonly now: Date;
}

export function checkCrl(bytes: Uint8Array, check: CrlCheck): RevocationStatus {
  let root: DerNode;
  try {
    // A CRL grows with its entries (about four elements each); size is capped by the fetcher.
    root = decodeDer(bytes, { maxDepth: 16, maxNodes: Math.max(10_000, bytes.length) });
  } catch (err) {
    throw new RevocationError('MALFORMED', `CRL is not DER: ${(err as Error).message}`, { cause: err });
  }
  try {
    return checkParsed(root, check);
  } catch (err) {
    if (err instanceof RevocationError) throw err;
    throw new RevocationError('MALFORMED', `CRL: ${(err as Error).message}`, { cause: err });
  }
}

function checkParsed(root: DerNode, check: CrlCheck): RevocationStatus {
  const [tbs, algorithm, signature] = expectTag(root, DER_TAG.SEQUENCE, 'CertificateList').children;
  const tbsNode = expectTag(tbs, DER_TAG.SEQUENCE, 'tbsCertList');
  if (!verifyX509Signature(algorithm, tbsNode.raw, signature, check.issuer.publicKey, 'the CRL')) {
    throw new RevocationError('SIGNATURE_INVALID', 'the CRL signature does not verify with the issuing CA');
  }
  // TBSCertList: version?, signature, issuer, thisUpdate, nextUpdate?, revokedCertificates?, [0] crlExtensions?
  const fields = [...tbsNode.children];
  if (fields[0]?.cls === 0 && fields[0].tag === DER_TAG.INTEGER) fields.shift();
  const issuer = expectTag(fields[1], DER_TAG.SEQUENCE, 'issuer');
  if (!Buffer.from(issuer.raw).equals(Buffer.from(check.cert.issuerName))) throw new RevocationError('MISMATCH', 'the CRL is issued by another CA than the certificate');
  const thisUpdate = readTime(fields[2], 'thisUpdate');
  let i = 3;
  const isTime = (n: DerNode | undefined) => n?.cls === 0 && (n.tag === DER_TAG.UTC_TIME || n.tag === DER_TAG.GENERALIZED_TIME);
  const nextUpdate = isTime(fields[i]) ? readTime(fields[i++], 'nextUpdate') : undefined;
  const revoked = fields[i]?.cls === 0 && fields[i]?.tag === DER_TAG.SEQUENCE ? fields[i] : undefined;
  checkCrlExtensions(contextChild(tbsNode, 0)?.children[0]);
  const now = check.now.getTime();
  if (thisUpdate.getTime() > now + SKEW_MS) throw new RevocationError('STALE', `the CRL's thisUpdate ${thisUpdate.toISOString()} is in the future`);
  if (!nextUpdate) throw new RevocationError('STALE', 'the CRL has no nextUpdate, so its freshness cannot be told');
  if (nextUpdate.getTime() + SKEW_MS < now) throw new RevocationError('STALE', `the CRL expired at its nextUpdate ${nextUpdate.toISOString()}`);

  const serial = Buffer.from(check.cert.serial);
  for (const entry of revoked?.children ?? []) {
    const e = expectTag(entry, DER_TAG.SEQUENCE, 'revokedCertificate');
    if (!Buffer.from(expectTag(e.children[0], DER_TAG.INTEGER, 'userCertificate').value).equals(serial)) continue;
    const ext = readEntryExtensions(e.children[2], 'the CRL entry');
    // removeFromCRL appears in delta CRLs only; in a base CRL it would mean "not revoked".
    if (ext.reason === 'removeFromCRL') break;
    return { status: 'revoked', thisUpdate, nextUpdate, revokedAt: readTime(e.children[1], 'revocationDate'), reason: ext.reason, invalidityDate: ext.invalidityDate };
  }
  return { status: 'good', thisUpdate, nextUpdate };
}

function checkCrlExtensions(extensions: DerNode | undefined): void {
  for (const ext of extensions?.children ?? []) {
    const oid = readOid(ext.children[0], 'extnID');
    const critical = ext.children.length === 3 && readBoolean(ext.children[1], 'critical');
    if (oid === OID_DELTA_CRL_INDICATOR) throw new RevocationError('UNSUPPORTED', 'a delta CRL was served where a base CRL was expected');
    if (oid === OID_ISSUING_DISTRIBUTION_POINT) throw new RevocationError('UNSUPPORTED', 'CRLs with an issuing distribution point (partitioned or indirect CRLs) are not supported');
    if (critical && !KNOWN_CRL_EXTENSIONS.has(oid)) throw new RevocationError('UNSUPPORTED', `the CRL has an unknown critical extension ${oid}`);
  }
}
