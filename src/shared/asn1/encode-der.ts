/**
 * The few DER encoders an OCSP request needs (X.690 §8, definite lengths only). Inputs are
 * ours (hashes, a serial number copied from a certificate), never attacker-sized.
 */

/** One TLV: `tag` is the full identifier octet (e.g. 0x30 SEQUENCE, 0xa2 [2] constructed). */
export function derTlv(tag: number, ...content: readonly Uint8Array[]): Uint8Array {
  const body = Buffer.concat(content);
  return Buffer.concat([Buffer.from([tag]), derLength(body.length), body]);
}

export const derSequence = (...items: readonly Uint8Array[]): Uint8Array => derTlv(0x30, ...items);
export const derOctetString = (bytes: Uint8Array): Uint8Array => derTlv(0x04, bytes);
export const derNull = (): Uint8Array => Buffer.from([0x05, 0x00]);

/** INTEGER from its value octets as they appear in a certificate (already two's complement). */
export const derIntegerBytes = (value: Uint8Array): Uint8Array => derTlv(0x02, value);

export function derOid(oid: string): Uint8Array {
  const arcs = oid.split('.').map((a) => BigInt(a));
  const [a0 = 0n, a1 = 0n, ...rest] = arcs;
  const out: number[] = [];
  for (const arc of [a0 * 40n + a1, ...rest]) {
    const bytes: number[] = [];
    let v = arc;
    do {
      bytes.unshift(Number(v & 0x7fn));
      v >>= 7n;
    } while (v > 0n);
    for (let i = 0; i < bytes.length - 1; i++) bytes[i] = (bytes[i] ?? 0) | 0x80;
    out.push(...bytes);
  }
  return derTlv(0x06, Buffer.from(out));
}

function derLength(n: number): Uint8Array {
  if (n < 0x80) return Buffer.from([n]);
  const bytes: number[] = [];
  for (let v = n; v > 0; v = Math.floor(v / 256)) bytes.unshift(v & 0xff);
  return Buffer.from([0x80 | bytes.length, ...bytes]);
}
