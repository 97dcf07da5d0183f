/**
 * RFC 3161 TimeStampToken: a CMS SignedData (RFC 5652 §5) whose content is a TSTInfo
 * (RFC 3161 §2.4.2). Parsed defensively; nothing here is trusted until verified.
 */
import { X509Certificate } from 'node:crypto';
import { Asn1Error, decodeDer, type DerNode } from '../../../shared/asn1/decode-der.js';
import { contextChild, DER_TAG, expectTag, readInteger, readIntegerHex, readOctetString, readOid, readTime } from '../../../shared/asn1/der-values.js';
import { NotationError } from '../notation-error.js';

export const OID_SIGNED_DATA = '1.2.840.113549.1.7.2';
export const OID_TST_INFO = '1.2.840.113549.1.9.16.1.4';
const MAX_TOKEN_BYTES = 64 * 1024;

export interface TimestampToken {
  readonly eContentType: string;
  /** DER of TSTInfo (the signed content). */
  readonly eContent: Uint8Array;
  readonly certificates: readonly X509Certificate[];
  readonly signer: SignerInfo;
  readonly tstInfo: TstInfo;
}

export interface SignerInfo {
  /** Issuer Name DER + serial hex, or subjectKeyIdentifier hex. */
  readonly sid: { readonly issuer: Uint8Array; readonly serialHex: string } | { readonly skiHex: string };
  readonly digestAlgorithm: string;
  /** DER of signed attributes re-tagged as SET OF (RFC 5652 §5.4), or undefined. */
  readonly signedAttrsDer?: Uint8Array | undefined;
  readonly signedAttrs: ReadonlyMap<string, DerNode[]>;
  readonly signatureAlgorithm: string;
  readonly signature: Uint8Array;
}

export interface TstInfo {
  readonly policy: string;
  readonly hashAlgorithm: string;
  readonly hashedMessage: Uint8Array;
  readonly serialHex: string;
  readonly genTime: Date;
  /** Accuracy in milliseconds (RFC 3161 §2.4.2). */
  readonly accuracyMs?: number | undefined;
}

export function parseTimestampToken(bytes: Uint8Array): TimestampToken {
  if (bytes.length > MAX_TOKEN_BYTES) throw new NotationError('TIMESTAMP_INVALID', `timestamp token larger than ${MAX_TOKEN_BYTES} bytes`);
  try {
    return parse(bytes);
  } catch (e) {
    if (e instanceof NotationError) throw e;
    throw new NotationError('TIMESTAMP_INVALID', `timestamp token is malformed: ${(e as Error).message}`, { cause: e });
  }
}

function parse(bytes: Uint8Array): TimestampToken {
  const ci = expectTag(decodeDer(bytes), DER_TAG.SEQUENCE, 'ContentInfo');
  if (readOid(ci.children[0], 'contentType') !== OID_SIGNED_DATA) throw new NotationError('TIMESTAMP_INVALID', 'timestamp token is not CMS SignedData');
  const sdWrap = contextChild(ci, 0);
  const sd = expectTag(sdWrap?.children[0], DER_TAG.SEQUENCE, 'SignedData');
  const [, , encap] = sd.children;
  const eci = expectTag(encap, DER_TAG.SEQUENCE, 'encapContentInfo');
  const eContentType = readOid(eci.children[0], 'eContentType');
  if (eContentType !== OID_TST_INFO) throw new NotationError('TIMESTAMP_INVALID', `unexpected content type ${eContentType}; expected id-ct-TSTInfo (${OID_TST_INFO})`);
  const eContent = readOctetString(contextChild(eci, 0)?.children[0], 'eContent');
  const certificates: X509Certificate[] = [];
  const certSet = sd.children.find((c) => c.cls === 2 && c.tag === 0 && c.constructed);
  for (const c of certSet?.children ?? []) {
    // Other certificate formats (attribute certs, [n]-tagged) are ignored.
    if (c.cls === 0 && c.tag === DER_TAG.SEQUENCE) certificates.push(new X509Certificate(c.raw));
  }
  const signerInfos = expectTag(sd.children[sd.children.length - 1], DER_TAG.SET, 'signerInfos');
  if (signerInfos.children.length !== 1) throw new NotationError('TIMESTAMP_INVALID', `timestamp token must have exactly one signer, has ${signerInfos.children.length}`);
  return { eContentType, eContent, certificates, signer: parseSignerInfo(signerInfos.children[0] as DerNode), tstInfo: parseTstInfo(eContent) };
}

function parseSignerInfo(si: DerNode): SignerInfo {
  expectTag(si, DER_TAG.SEQUENCE, 'SignerInfo');
  const [, sidNode, digestAlg, ...rest] = si.children;
  if (!sidNode || !digestAlg) throw new Asn1Error('SignerInfo truncated');
  const sid = sidNode.cls === 2 && sidNode.tag === 0
    ? { skiHex: Buffer.from(sidNode.value).toString('hex') }
    : { issuer: expectTag(sidNode.children[0], DER_TAG.SEQUENCE, 'issuer').raw, serialHex: readIntegerHex(sidNode.children[1], 'serialNumber') };
  let i = 0;
  let signedAttrsDer: Uint8Array | undefined;
  const signedAttrs = new Map<string, DerNode[]>();
  const first = rest[0];
  if (first && first.cls === 2 && first.tag === 0) {
    // The signature covers the attributes DER-encoded with an explicit SET OF tag (RFC 5652 §5.4).
    const der = Buffer.from(first.raw);
    der[0] = 0x31;
    signedAttrsDer = der;
    for (const attr of first.children) {
      const oid = readOid(attr.children[0], 'attrType');
      if (signedAttrs.has(oid)) throw new Asn1Error(`signed attribute ${oid} repeated`);
      signedAttrs.set(oid, [...expectTag(attr.children[1], DER_TAG.SET, 'attrValues').children]);
    }
    i = 1;
  }
  const sigAlg = expectTag(rest[i], DER_TAG.SEQUENCE, 'signatureAlgorithm');
  return {
    sid,
    digestAlgorithm: readOid(expectTag(digestAlg, DER_TAG.SEQUENCE, 'digestAlgorithm').children[0]),
    signedAttrsDer,
    signedAttrs,
    signatureAlgorithm: readOid(sigAlg.children[0], 'signatureAlgorithm'),
    signature: readOctetString(rest[i + 1], 'signature'),
  };
}

function parseTstInfo(der: Uint8Array): TstInfo {
  const t = expectTag(decodeDer(der), DER_TAG.SEQUENCE, 'TSTInfo');
  const [version, policy, imprint, serial, genTime, ...rest] = t.children;
  if (readInteger(version, 'TSTInfo.version') !== 1n) throw new Asn1Error('TSTInfo version is not 1');
  const mi = expectTag(imprint, DER_TAG.SEQUENCE, 'messageImprint');
  let accuracyMs: number | undefined;
  const acc = rest[0];
  if (acc && acc.cls === 0 && acc.tag === DER_TAG.SEQUENCE) {
    accuracyMs = 0;
    for (const part of acc.children) {
      const n = Number(part.cls === 0 ? readInteger(part, 'seconds') : readImplicitInteger(part));
      if (!Number.isFinite(n) || n < 0 || n > 1e9) throw new Asn1Error('accuracy out of range');
      if (part.cls === 0) accuracyMs += n * 1000;
      else if (part.tag === 0) accuracyMs += n;
      else if (part.tag === 1) accuracyMs += n / 1000;
    }
  }
  return {
    policy: readOid(policy, 'policy'),
    hashAlgorithm: readOid(expectTag(mi.children[0], DER_TAG.SEQUENCE, 'hashAlgorithm').children[0]),
    hashedMessage: readOctetString(mi.children[1], 'hashedMessage'),
    serialHex: readIntegerHex(serial, 'serialNumber'),
    genTime: readTime(genTime, 'genTime'),
    accuracyMs,
  };
}

function readImplicitInteger(node: DerNode): bigint {
  if (node.value.length === 0 || node.value.length > 8) throw new Asn1Error('bad implicit INTEGER');
  let n = 0n;
  for (const b of node.value) n = (n << 8n) | BigInt(b);
  return n;
}
