/**
 * Typed readers over DerNode values (X.690 §8.3 INTEGER, §8.19 OBJECT IDENTIFIER, X.680
 * UTCTime/GeneralizedTime). Each checks the universal tag it expects.
 */
import { Asn1Error, type DerNode } from './decode-der.js';

export const DER_TAG = {
  BOOLEAN: 1, INTEGER: 2, BIT_STRING: 3, OCTET_STRING: 4, NULL: 5, OID: 6,
  UTF8_STRING: 12, SEQUENCE: 16, SET: 17, PRINTABLE_STRING: 19, IA5_STRING: 22, UTC_TIME: 23, GENERALIZED_TIME: 24,
} as const;

/** Asserts a universal tag and returns the node. */
export function expectTag(node: DerNode | undefined, tag: number, what: string): DerNode {
  if (!node) throw new Asn1Error(`${what}: missing`);
  if (node.cls !== 0 || node.tag !== tag) throw new Asn1Error(`${what}: expected universal tag ${tag}, got class ${node.cls} tag ${node.tag}`);
  return node;
}

/** Context-specific [n] child, if present. */
export function contextChild(node: DerNode, n: number): DerNode | undefined {
  return node.children.find((c) => c.cls === 2 && c.tag === n);
}

export function readOid(node: DerNode | undefined, what = 'OBJECT IDENTIFIER'): string {
  const v = expectTag(node, DER_TAG.OID, what).value;
  if (v.length === 0 || v.length > 64) throw new Asn1Error(`${what}: bad length`);
  const parts: number[] = [];
  let acc = 0;
  for (let i = 0; i < v.length; i++) {
    const b = v[i] ?? 0;
    acc = acc * 128 + (b & 0x7f);
    if (acc > Number.MAX_SAFE_INTEGER / 128) throw new Asn1Error(`${what}: arc too large`);
    if ((b & 0x80) === 0) {
      if (parts.length === 0) parts.push(acc < 80 ? Math.floor(acc / 40) : 2, acc < 80 ? acc % 40 : acc - 80);
      else parts.push(acc);
      acc = 0;
    } else if (i === v.length - 1) {
      throw new Asn1Error(`${what}: truncated arc`);
    }
  }
  return parts.join('.');
}

/** INTEGER as a bigint (two's complement). */
export function readInteger(node: DerNode | undefined, what = 'INTEGER'): bigint {
  const v = expectTag(node, DER_TAG.INTEGER, what).value;
  if (v.length === 0) throw new Asn1Error(`${what}: empty`);
  let n = 0n;
  for (const b of v) n = (n << 8n) | BigInt(b);
  if ((v[0] ?? 0) & 0x80) n -= 1n << BigInt(v.length * 8);
  return n;
}

/** Hex of the INTEGER's value octets (serial numbers). */
export function readIntegerHex(node: DerNode | undefined, what = 'INTEGER'): string {
  return Buffer.from(expectTag(node, DER_TAG.INTEGER, what).value).toString('hex');
}

export function readBoolean(node: DerNode | undefined, what = 'BOOLEAN'): boolean {
  const v = expectTag(node, DER_TAG.BOOLEAN, what).value;
  if (v.length !== 1) throw new Asn1Error(`${what}: bad length`);
  return v[0] !== 0;
}

export function readOctetString(node: DerNode | undefined, what = 'OCTET STRING'): Uint8Array {
  return expectTag(node, DER_TAG.OCTET_STRING, what).value;
}

/** BIT STRING: unused-bit count and the bits. */
export function readBitString(node: DerNode | undefined, what = 'BIT STRING'): { unused: number; bytes: Uint8Array } {
  const v = expectTag(node, DER_TAG.BIT_STRING, what).value;
  const unused = v[0];
  if (unused === undefined || unused > 7) throw new Asn1Error(`${what}: bad unused-bits octet`);
  return { unused, bytes: v.subarray(1) };
}

/** UTCTime or GeneralizedTime (RFC 5280 §4.1.2.5 profile, fractional seconds allowed for TSTInfo). */
export function readTime(node: DerNode | undefined, what = 'Time'): Date {
  if (!node || node.cls !== 0 || (node.tag !== DER_TAG.UTC_TIME && node.tag !== DER_TAG.GENERALIZED_TIME)) {
    throw new Asn1Error(`${what}: expected UTCTime or GeneralizedTime`);
  }
  const s = Buffer.from(node.value).toString('latin1');
  const m = node.tag === DER_TAG.UTC_TIME
    ? /^(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})Z$/.exec(s)
    : /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})(\.\d{1,9})?Z$/.exec(s);
  if (!m) throw new Asn1Error(`${what}: unsupported time format ${JSON.stringify(s.slice(0, 32))}`);
  let year = Number(m[1]);
  if (node.tag === DER_TAG.UTC_TIME) year += year >= 50 ? 1900 : 2000;
  const ms = m[7] ? Math.floor(Number(`0${m[7]}`) * 1000) : 0;
  const d = new Date(Date.UTC(year, Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6]), ms));
  if (Number.isNaN(d.getTime())) throw new Asn1Error(`${what}: invalid date`);
  return d;
}
