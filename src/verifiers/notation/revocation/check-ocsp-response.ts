/**
 * Checks an OCSP response for one certificate (RFC 6960 §4.2, §3.2; Notary Project trust
 * policy spec "Revocation Checking with OCSP"):
 *   1. a `successful` BasicOCSPResponse;
 *   2. signed by the issuing CA, or by a responder certificate the issuing CA issued for
 *      OCSP signing (id-kp-OCSPSigning) that is valid now and carries id-pkix-ocsp-nocheck
 *      (without it the spec wants the responder's own revocation checked by CRL; such a
 *      response is not used here, and the caller falls back to the CRL);
 *   3. about this certificate (CertID), echoing our nonce when it echoes one;
 *   4. fresh: `thisUpdate` not in the future, `nextUpdate` not past (without `nextUpdate`,
 *      `thisUpdate` at most `maxAgeWithoutNextUpdateMs` old).
 * Returns `good` or `revoked`; `unknown` and every failure throw RevocationError.
 */
import { X509Certificate } from 'node:crypto';
import { decodeDer, type DerNode } from '../../../shared/asn1/decode-der.js';
import { contextChild, DER_TAG, expectTag, readOctetString, readOid, readTime } from '../../../shared/asn1/der-values.js';
import { isIssuedBy } from '../x509/is-issued-by.js';
import { EKU, readCertificateExtensions } from '../x509/read-certificate-extensions.js';
import { OID_OCSP_NONCE, type OcspCertId } from './build-ocsp-request.js';
import { readEntryExtensions, reasonName } from './read-entry-extensions.js';
import { RevocationError } from './revocation-error.js';
import type { RevocationStatus } from './revocation-status.js';
import { verifyX509Signature } from './verify-x509-signature.js';

const OID_BASIC = '1.3.6.1.5.5.7.48.1.1';
const OID_NOCHECK = '1.3.6.1.5.5.7.48.1.5';
const RESPONSE_STATUS = ['successful', 'malformedRequest', 'internalError', 'tryLater', '(unused)', 'sigRequired', 'unauthorized'];
/** Clock skew tolerated between us and the responder. */
const SKEW_MS = 5 * 60 * 1000;

export interface OcspCheck {
  readonly certId: OcspCertId;
  readonly issuer: X509Certificate;
  readonly nonce?: Buffer | undefined;
  readonly now: Date;
  readonly maxAgeWithoutNextUpdateMs: number;
}

export function checkOcspResponse(bytes: Uint8Array, check: OcspCheck): RevocationStatus {
  let root: DerNode;
  try {
    root = decodeDer(bytes, { maxDepth: 16, maxNodes: 20_000 });
  } catch (err) {
    throw new RevocationError('MALFORMED', `OCSP response is not DER: ${(err as Error).message}`, { cause: err });
  }
  try {
    return checkParsed(root, check);
  } catch (err) {
    if (err instanceof RevocationError) throw err;
    throw new RevocationError('MALFORMED', `OCSP response: ${(err as Error).message}`, { cause: err });
  }
}

function checkParsed(root: DerNode, check: OcspCheck): RevocationStatus {
  const top = expectTag(root, DER_TAG.SEQUENCE, 'OCSPResponse');
  const statusNode = top.children[0];
  if (!statusNode || statusNode.cls !== 0 || statusNode.tag !== 10 || statusNode.value.length !== 1) throw new RevocationError('MALFORMED', 'OCSP responseStatus is not an ENUMERATED');
  const status = statusNode.value[0] ?? 0;
  if (status !== 0) throw new RevocationError('UNKNOWN_STATUS', `OCSP responder answered ${RESPONSE_STATUS[status] ?? status}`);
  const responseBytes = expectTag(contextChild(top, 0)?.children[0], DER_TAG.SEQUENCE, 'responseBytes');
  if (readOid(responseBytes.children[0], 'responseType') !== OID_BASIC) throw new RevocationError('UNSUPPORTED', 'OCSP response is not a BasicOCSPResponse');
  const basic = expectTag(decodeDer(readOctetString(responseBytes.children[1], 'response'), { maxDepth: 16, maxNodes: 20_000 }), DER_TAG.SEQUENCE, 'BasicOCSPResponse');
  const [tbs, algorithm, signature] = basic.children;
  const tbsNode = expectTag(tbs, DER_TAG.SEQUENCE, 'tbsResponseData');
  const { keys, refused } = signerCandidates(basic, check);
  if (!keys.some((k) => verifyX509Signature(algorithm, tbsNode.raw, signature, k.publicKey, 'the OCSP response'))) {
    if (refused.length > 0) throw new RevocationError('UNTRUSTED_SIGNER', `the OCSP response is not signed by the issuing CA, and carries ${refused[0]}`);
    throw new RevocationError('SIGNATURE_INVALID', 'the OCSP response signature does not verify with the issuing CA or a responder it delegated');
  }

  // ResponseData: [0] version?, responderID ([1] byName | [2] byKey), producedAt, responses, [1] responseExtensions?
  const at = tbsNode.children[0]?.cls === 2 && tbsNode.children[0].tag === 0 ? 1 : 0;
  const responses = expectTag(tbsNode.children[at + 2], DER_TAG.SEQUENCE, 'responses');
  const extensions = tbsNode.children[at + 3];
  checkNonce(extensions?.cls === 2 && extensions.tag === 1 ? extensions : undefined, check.nonce);
  const single = responses.children.find((r) => sameCertId(expectTag(r.children[0], DER_TAG.SEQUENCE, 'certID'), check.certId));
  if (!single) throw new RevocationError('MISMATCH', 'the OCSP response is not about this certificate');
  const certStatus = single.children[1];
  const thisUpdate = readTime(single.children[2], 'thisUpdate');
  // After certStatus (itself [0] when good) and thisUpdate: [0] nextUpdate?, [1] singleExtensions?
  const tail = single.children.slice(3);
  const nextNode = tail.find((c) => c.cls === 2 && c.tag === 0);
  const nextUpdate = nextNode ? readTime(nextNode.children[0], 'nextUpdate') : undefined;
  checkFreshness(thisUpdate, nextUpdate, check);
  if (!certStatus || certStatus.cls !== 2) throw new RevocationError('MALFORMED', 'OCSP certStatus is missing');
  if (certStatus.tag === 0) return { status: 'good', thisUpdate, nextUpdate };
  if (certStatus.tag === 2) throw new RevocationError('UNKNOWN_STATUS', 'the OCSP responder does not know this certificate');
  if (certStatus.tag !== 1) throw new RevocationError('MALFORMED', `OCSP certStatus [${certStatus.tag}]`);
  // RevokedInfo ::= SEQUENCE { revocationTime, revocationReason [0] EXPLICIT CRLReason OPTIONAL } (IMPLICIT [1])
  const revokedAt = readTime(certStatus.children[0], 'revocationTime');
  const reasonNode = contextChild(certStatus, 0)?.children[0];
  const ext = readEntryExtensions(tail.find((c) => c.cls === 2 && c.tag === 1)?.children[0], 'the OCSP single response');
  return { status: 'revoked', thisUpdate, nextUpdate, revokedAt, reason: reasonNode ? reasonName(reasonNode) : ext.reason, invalidityDate: ext.invalidityDate };
}

/**
 * The keys that may sign: the issuing CA's, and those of delegated responders it issued
 * (RFC 6960 §4.2.2.2). Returns the refusals of other certificates in the response, to explain
 * a signature none of the keys verifies.
 */
function signerCandidates(basic: DerNode, check: OcspCheck): { keys: X509Certificate[]; refused: string[] } {
  const keys = [check.issuer];
  const refused: string[] = [];
  for (const node of (contextChild(basic, 0)?.children[0]?.children ?? []).slice(0, 8)) {
    let cert: X509Certificate;
    try {
      cert = new X509Certificate(Buffer.from(node.raw));
    } catch {
      continue;
    }
    if (cert.raw.equals(check.issuer.raw) || !isIssuedBy(cert, check.issuer)) continue;
    const t = check.now.getTime();
    if (!readCertificateExtensions(cert).extKeyUsage?.oids.includes(EKU.ocspSigning) || Date.parse(cert.validFrom) > t || Date.parse(cert.validTo) < t) {
      refused.push('a responder certificate without id-kp-OCSPSigning or outside its validity');
    } else if (!hasNoCheck(cert)) {
      refused.push('a delegated responder certificate without id-pkix-ocsp-nocheck (its own revocation would need a CRL check)');
    } else {
      keys.push(cert);
    }
  }
  return { keys, refused };
}

function hasNoCheck(cert: X509Certificate): boolean {
  const tbs = decodeDer(cert.raw).children[0];
  const exts = tbs ? contextChild(tbs, 3)?.children[0]?.children ?? [] : [];
  return exts.some((e) => readOid(e.children[0], 'extnID') === OID_NOCHECK);
}

function sameCertId(node: DerNode, id: OcspCertId): boolean {
  const alg = readOid(expectTag(node.children[0], DER_TAG.SEQUENCE, 'hashAlgorithm').children[0], 'hashAlgorithm');
  // We ask with SHA-1; a responder answers with the CertID it was asked for.
  if (alg !== '1.3.14.3.2.26') return false;
  return Buffer.from(readOctetString(node.children[1], 'issuerNameHash')).equals(id.issuerNameHash)
    && Buffer.from(readOctetString(node.children[2], 'issuerKeyHash')).equals(id.issuerKeyHash)
    && Buffer.from(expectTag(node.children[3], DER_TAG.INTEGER, 'serialNumber').value).equals(id.serial);
}

function checkNonce(extensions: DerNode | undefined, nonce: Buffer | undefined): void {
  for (const ext of extensions?.children[0]?.children ?? []) {
    if (readOid(ext.children[0], 'extnID') !== OID_OCSP_NONCE) continue;
    const value = readOctetString(ext.children[ext.children.length - 1], 'nonce extnValue');
    // RFC 8954: the value is an OCTET STRING; some responders put the bare bytes.
    let echoed = Buffer.from(value);
    try {
      echoed = Buffer.from(readOctetString(decodeDer(value), 'nonce'));
    } catch {
      // the bare form
    }
    if (!nonce || !echoed.equals(nonce)) throw new RevocationError('MISMATCH', 'the OCSP response echoes another nonce (a replayed response?)');
  }
}

function checkFreshness(thisUpdate: Date, nextUpdate: Date | undefined, check: OcspCheck): void {
  const now = check.now.getTime();
  if (thisUpdate.getTime() > now + SKEW_MS) throw new RevocationError('STALE', `the OCSP response's thisUpdate ${thisUpdate.toISOString()} is in the future`);
  if (nextUpdate && nextUpdate.getTime() + SKEW_MS < now) throw new RevocationError('STALE', `the OCSP response expired at its nextUpdate ${nextUpdate.toISOString()}`);
  if (!nextUpdate && now - thisUpdate.getTime() > check.maxAgeWithoutNextUpdateMs) {
    throw new RevocationError('STALE', `the OCSP response has no nextUpdate and its thisUpdate ${thisUpdate.toISOString()} is too old`);
  }
}
