/**
 * Minimal CBOR encoder (RFC 8949) for the COSE Sig_structure (RFC 9052 §4.4) and for building
 * COSE messages in tests: integers, byte and text strings, arrays, maps (insertion order) and tags.
 */
export class EncodableTag {
  constructor(readonly tag: number, readonly value: EncodableCbor) {}
}

export type EncodableCbor =
  | number | string | Uint8Array | readonly EncodableCbor[] | ReadonlyMap<number | string, EncodableCbor> | EncodableTag;

export function encodeCbor(value: EncodableCbor): Uint8Array {
  const parts: Uint8Array[] = [];
  write(value, parts);
  return Buffer.concat(parts);
}

function head(major: number, n: number): Uint8Array {
  if (n < 24) return Uint8Array.of((major << 5) | n);
  if (n < 0x100) return Uint8Array.of((major << 5) | 24, n);
  if (n < 0x10000) return Uint8Array.of((major << 5) | 25, n >> 8, n & 0xff);
  const b = Buffer.alloc(5);
  b[0] = (major << 5) | 26;
  b.writeUInt32BE(n, 1);
  return b;
}

function write(v: EncodableCbor, out: Uint8Array[]): void {
  if (typeof v === 'number') {
    if (!Number.isInteger(v) || Math.abs(v) > 0xffffffff) throw new RangeError('encodeCbor: only 32-bit integers');
    out.push(v >= 0 ? head(0, v) : head(1, -1 - v));
  } else if (typeof v === 'string') {
    const b = Buffer.from(v, 'utf8');
    out.push(head(3, b.length), b);
  } else if (v instanceof Uint8Array) {
    out.push(head(2, v.length), v);
  } else if (v instanceof EncodableTag) {
    out.push(head(6, v.tag));
    write(v.value, out);
  } else if (v instanceof Map) {
    out.push(head(5, v.size));
    for (const [k, x] of v as ReadonlyMap<number | string, EncodableCbor>) {
      write(k, out);
      write(x, out);
    }
  } else {
    const arr = v as readonly EncodableCbor[];
    out.push(head(4, arr.length));
    for (const x of arr) write(x, out);
  }
}
