/**
 * Verifies the signature of a signed X.509 structure (an OCSP BasicOCSPResponse, a CRL): the
 * AlgorithmIdentifier names hash and scheme (RFC 4055, RFC 5758). RSASSA-PSS, whose hash is in
 * its parameters, is not accepted here.
 */
import { constants, verify as cryptoVerify, type KeyObject } from 'node:crypto';
import type { DerNode } from '../../../shared/asn1/decode-der.js';
import { DER_TAG, expectTag, readBitString, readOid } from '../../../shared/asn1/der-values.js';
import { SIGNATURE_OIDS } from '../timestamp/digest-algorithms.js';
import { RevocationError } from './revocation-error.js';

export function verifyX509Signature(algorithm: DerNode | undefined, signed: Uint8Array, signature: DerNode | undefined, key: KeyObject, what: string): boolean {
  const oid = readOid(expectTag(algorithm, DER_TAG.SEQUENCE, `${what} signatureAlgorithm`).children[0], `${what} signatureAlgorithm`);
  const alg = SIGNATURE_OIDS.get(oid);
  if (!alg || alg.kind === 'pss' || !alg.hash) throw new RevocationError('UNSUPPORTED', `${what} is signed with algorithm ${oid}, which is not supported`);
  const { unused, bytes } = readBitString(signature, `${what} signature`);
  if (unused !== 0) throw new RevocationError('MALFORMED', `${what} signature has unused bits`);
  try {
    return alg.kind === 'pkcs1'
      ? cryptoVerify(alg.hash, signed, { key, padding: constants.RSA_PKCS1_PADDING }, bytes)
      : cryptoVerify(alg.hash, signed, { key, dsaEncoding: 'der' }, bytes);
  } catch {
    return false;
  }
}
