/**
 * Verifies an RFC 3161 timestamp countersignature over the envelope's signature value:
 * https://github.com/notaryproject/specifications/blob/main/specs/signature-specification.md#signing-time
 * https://github.com/notaryproject/specifications/blob/main/specs/trust-store-trust-policy.md#steps (authentic timestamp)
 * The CMS signature (RFC 5652 §5.4–5.6), the messageImprint over the signature (RFC 3161 §2.4.2),
 * the TSA chain to a `tsa` trust store, and the TSA certificate's timeStamping EKU, at genTime.
 */
import { createHash, constants, verify as cryptoVerify, type X509Certificate } from 'node:crypto';
import { DER_TAG, expectTag, readOctetString, readOid } from '../../../shared/asn1/der-values.js';
import { decodeDer, type DerNode } from '../../../shared/asn1/decode-der.js';
import { NotationError } from '../notation-error.js';
import { isIssuedBy } from '../x509/is-issued-by.js';
import { validateCertificateChain } from '../x509/validate-certificate-chain.js';
import { DIGEST_OIDS, SIGNATURE_OIDS } from './digest-algorithms.js';
import { parseTimestampToken, type SignerInfo, type TimestampToken } from './parse-timestamp-token.js';

const OID_CONTENT_TYPE = '1.2.840.113549.1.9.3';
const OID_MESSAGE_DIGEST = '1.2.840.113549.1.9.4';
const OID_SIGNING_CERT = '1.2.840.113549.1.9.16.2.12';
const OID_SIGNING_CERT_V2 = '1.2.840.113549.1.9.16.2.47';
const MAX_CHAIN = 8;
const BASELINE_TIMESTAMP_POLICY = '0.4.0.2023.1.1';

export interface VerifiedTimestamp {
  readonly genTime: Date;
  /** genTime ± accuracy (RFC 3161 §2.4.2). */
  readonly earliest: Date;
  readonly latest: Date;
  readonly tsaChain: readonly X509Certificate[];
}

export function verifyTimestampToken(tokenBytes: Uint8Array, signatureValue: Uint8Array, trustedTsaCerts: readonly X509Certificate[]): VerifiedTimestamp {
  const token = parseTimestampToken(tokenBytes);
  const { tstInfo } = token;
  const imprintHash = DIGEST_OIDS.get(tstInfo.hashAlgorithm);
  if (!imprintHash) throw new NotationError('TIMESTAMP_INVALID', `timestamp messageImprint hash ${tstInfo.hashAlgorithm} is not SHA-256/384/512`);
  if (!createHash(imprintHash).update(signatureValue).digest().equals(tstInfo.hashedMessage)) {
    throw new NotationError('TIMESTAMP_INVALID', 'timestamp messageImprint does not match the signature value');
  }
  const signerCert = findSignerCertificate(token);
  verifyCmsSignature(token, signerCert);
  if (trustedTsaCerts.length === 0) throw new NotationError('TIMESTAMP_UNTRUSTED', 'no trusted TSA certificate in the tsa trust stores');
  const chain = buildChain(signerCert, token.certificates, trustedTsaCerts);
  validateCertificateChain(chain, { purpose: 'timeStamping', at: tstInfo.genTime, code: 'TIMESTAMP_INVALID' });
  // Trust policy spec, "Validate Trusted Timestamp": the stated accuracy; else 1 s under the
  // baseline time-stamp policy of RFC 3628 §5.2; else 0.
  const accuracy = tstInfo.accuracyMs ?? (tstInfo.policy === BASELINE_TIMESTAMP_POLICY ? 1000 : 0);
  return {
    genTime: tstInfo.genTime,
    earliest: new Date(tstInfo.genTime.getTime() - accuracy),
    latest: new Date(tstInfo.genTime.getTime() + accuracy),
    tsaChain: chain,
  };
}

function findSignerCertificate(token: TimestampToken): X509Certificate {
  const { sid } = token.signer;
  const found = token.certificates.find((c) => {
    try {
      if ('skiHex' in sid) return subjectKeyIdentifierHex(c) === sid.skiHex;
      return c.serialNumber.toLowerCase().replace(/^0+/, '') === sid.serialHex.replace(/^0+/, '') && issuerDer(c).equals(Buffer.from(sid.issuer));
    } catch {
      // A certificate our DER reader refuses cannot be the signer.
      return false;
    }
  });
  if (!found) throw new NotationError('TIMESTAMP_INVALID', 'signing certificate not found in the timestamp token');
  return found;
}

function verifyCmsSignature(token: TimestampToken, cert: X509Certificate): void {
  const si: SignerInfo = token.signer;
  const digest = DIGEST_OIDS.get(si.digestAlgorithm);
  if (!digest) throw new NotationError('TIMESTAMP_INVALID', `timestamp digest algorithm ${si.digestAlgorithm} is not SHA-256/384/512`);
  let signed: Uint8Array = token.eContent;
  if (si.signedAttrsDer) {
    const ct = si.signedAttrs.get(OID_CONTENT_TYPE);
    if (!ct || ct.length !== 1 || readOid(ct[0]) !== token.eContentType) throw new NotationError('TIMESTAMP_INVALID', 'timestamp content-type attribute does not match id-ct-TSTInfo');
    const md = si.signedAttrs.get(OID_MESSAGE_DIGEST);
    if (!md || md.length !== 1 || !Buffer.from(readOctetString(md[0])).equals(createHash(digest).update(token.eContent).digest())) {
      throw new NotationError('TIMESTAMP_INVALID', 'timestamp message-digest attribute does not match TSTInfo');
    }
    try {
    checkSigningCertificateAttribute(si, cert);
  } catch (e) {
    if (e instanceof NotationError) throw e;
    throw new NotationError('TIMESTAMP_INVALID', `signing-certificate attribute is malformed: ${(e as Error).message}`, { cause: e });
  }
    signed = si.signedAttrsDer;
  }
  const alg = SIGNATURE_OIDS.get(si.signatureAlgorithm);
  if (!alg) throw new NotationError('TIMESTAMP_INVALID', `timestamp signature algorithm ${si.signatureAlgorithm} is not supported`);
  const hash = 'hash' in alg && alg.hash ? alg.hash : digest;
  let ok: boolean;
  try {
    if (alg.kind === 'pss') ok = cryptoVerify(hash, signed, { key: cert.publicKey, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: constants.RSA_PSS_SALTLEN_AUTO }, si.signature);
    else if (alg.kind === 'pkcs1') ok = cryptoVerify(hash, signed, { key: cert.publicKey, padding: constants.RSA_PKCS1_PADDING }, si.signature);
    else ok = cryptoVerify(hash, signed, { key: cert.publicKey, dsaEncoding: 'der' }, si.signature);
  } catch {
    ok = false;
  }
  if (!ok) throw new NotationError('TIMESTAMP_INVALID', 'timestamp token signature does not verify with the TSA certificate');
}

/** ESS signing-certificate(-v2) attribute, when present, must name the signer (RFC 5035 §3). */
function checkSigningCertificateAttribute(si: SignerInfo, cert: X509Certificate): void {
  const v2 = si.signedAttrs.get(OID_SIGNING_CERT_V2)?.[0];
  const v1 = si.signedAttrs.get(OID_SIGNING_CERT)?.[0];
  const attr = v2 ?? v1;
  if (!attr) return;
  const first = expectTag(expectTag(attr, DER_TAG.SEQUENCE, 'SigningCertificate').children[0], DER_TAG.SEQUENCE, 'certs').children[0];
  if (!first) throw new NotationError('TIMESTAMP_INVALID', 'signing-certificate attribute lists no certificate');
  let hash = v2 ? 'sha256' : 'sha1';
  let hashNode: DerNode | undefined = first.children[0];
  if (v2 && hashNode?.tag === DER_TAG.SEQUENCE) {
    const h = DIGEST_OIDS.get(readOid(hashNode.children[0]));
    if (!h) throw new NotationError('TIMESTAMP_INVALID', 'signing-certificate-v2 hash algorithm is not supported');
    hash = h;
    hashNode = first.children[1];
  }
  if (!createHash(hash).update(cert.raw).digest().equals(Buffer.from(readOctetString(hashNode)))) {
    throw new NotationError('TIMESTAMP_INVALID', 'signing-certificate attribute does not match the TSA certificate');
  }
}

/** Leaf → … → a certificate from the tsa trust store; intermediates may come from the token. */
function buildChain(leaf: X509Certificate, pool: readonly X509Certificate[], trusted: readonly X509Certificate[]): X509Certificate[] {
  const chain = [leaf];
  let cur = leaf;
  for (let i = 0; i < MAX_CHAIN; i++) {
    if (trusted.some((t) => t.raw.equals(cur.raw))) return chain;
    const parent = trusted.find((t) => isIssuedBy(cur, t)) ?? pool.find((p) => !p.raw.equals(cur.raw) && isIssuedBy(cur, p));
    if (!parent) break;
    chain.push(parent);
    cur = parent;
  }
  throw new NotationError('TIMESTAMP_UNTRUSTED', `the TSA certificate "${cur.subject.replaceAll('\n', ',')}" does not chain to a tsa trust store`);
}

function issuerDer(cert: X509Certificate): Buffer {
  // tbsCertificate: [0] version, serial, sigAlg, issuer, …
  const tbs = tbsChildren(cert);
  const off = tbs[0]?.cls === 2 ? 1 : 0;
  return Buffer.from(tbs[off + 2]?.raw ?? []);
}

function subjectKeyIdentifierHex(cert: X509Certificate): string | undefined {
  const tbs = tbsChildren(cert);
  const exts = tbs.find((c) => c.cls === 2 && c.tag === 3)?.children[0]?.children ?? [];
  for (const e of exts) {
    if (readOid(e.children[0]) === '2.5.29.14') {
      const inner = decodeDerSafe(readOctetString(e.children[e.children.length - 1]));
      return inner ? Buffer.from(inner.value).toString('hex') : undefined;
    }
  }
  return undefined;
}


function tbsChildren(cert: X509Certificate): readonly DerNode[] {
  return decodeDer(cert.raw).children[0]?.children ?? [];
}

function decodeDerSafe(b: Uint8Array): DerNode | undefined {
  try {
    return decodeDer(b);
  } catch {
    return undefined;
  }
}
