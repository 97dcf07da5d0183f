/**
 * A small, defensive CBOR decoder (RFC 8949) for COSE envelopes (RFC 9052). Only definite
 * lengths (COSE requires deterministic encoding, RFC 9052 §9), capped depth and item count,
 * every length checked against the input. Maps decode to `Map` so integer labels stay integers.
 */

export class CborError extends Error {
  readonly code = 'MALFORMED_CBOR' as const;
  constructor(message: string) {
    super(message);
    this.name = 'CborError';
  }
}

/** A tagged item (major type 6). */
export class CborTag {
  constructor(readonly tag: number, readonly value: CborValue) {}
}

export type CborValue =
  | number | bigint | string | boolean | null | undefined
  | Uint8Array | CborValue[] | Map<CborValue, CborValue> | CborTag;

export interface DecodeCborOptions {
  readonly maxDepth?: number;
  readonly maxItems?: number;
}

/** Decodes exactly one CBOR item filling `bytes`. */
export function decodeCbor(bytes: Uint8Array, options: DecodeCborOptions = {}): CborValue {
  const r = new Reader(bytes, options.maxDepth ?? 16, options.maxItems ?? 10_000);
  const v = r.item(0);
  if (r.pos !== bytes.length) throw new CborError(`trailing ${bytes.length - r.pos} bytes after CBOR item`);
  return v;
}

class Reader {
  pos = 0;
  private items = 0;
  constructor(private readonly buf: Uint8Array, private readonly maxDepth: number, private readonly maxItems: number) {}

  item(depth: number): CborValue {
    if (depth > this.maxDepth) throw new CborError(`CBOR nesting deeper than ${this.maxDepth}`);
    if (++this.items > this.maxItems) throw new CborError(`more than ${this.maxItems} CBOR items`);
    const initial = this.byte();
    const major = initial >> 5;
    const info = initial & 0x1f;
    if (major === 7) return this.simple(info);
    if (info === 31) throw new CborError('indefinite-length CBOR items are not accepted');
    const arg = this.argument(info);
    switch (major) {
      case 0: return arg;
      case 1: return typeof arg === 'bigint' ? -1n - arg : -1 - arg;
      case 2: return this.take(arg).slice();
      case 3: {
        const b = this.take(arg);
        try {
          return new TextDecoder('utf-8', { fatal: true }).decode(b);
        } catch {
          throw new CborError('CBOR text string is not valid UTF-8');
        }
      }
      case 4: {
        const n = this.count(arg);
        const out: CborValue[] = [];
        for (let i = 0; i < n; i++) out.push(this.item(depth + 1));
        return out;
      }
      case 5: {
        const n = this.count(arg);
        const out = new Map<CborValue, CborValue>();
        for (let i = 0; i < n; i++) {
          const k = this.item(depth + 1);
          if (typeof k !== 'number' && typeof k !== 'string' && typeof k !== 'bigint') throw new CborError('CBOR map keys must be integers or text');
          if (out.has(k)) throw new CborError(`duplicate CBOR map key ${String(k)}`);
          out.set(k, this.item(depth + 1));
        }
        return out;
      }
      case 6: {
        if (typeof arg === 'bigint') throw new CborError('CBOR tag number too large');
        return new CborTag(arg, this.item(depth + 1));
      }
      default: throw new CborError(`unknown CBOR major type ${major}`);
    }
  }

  private simple(info: number): CborValue {
    switch (info) {
      case 20: return false;
      case 21: return true;
      case 22: return null;
      case 23: return undefined;
      case 25: return halfFloat(this.take(2));
      case 26: return Buffer.from(this.take(4)).readFloatBE(0);
      case 27: return Buffer.from(this.take(8)).readDoubleBE(0);
      default: throw new CborError(`unsupported CBOR simple value ${info}`);
    }
  }

  private argument(info: number): number | bigint {
    if (info < 24) return info;
    if (info === 24) return this.byte();
    if (info === 25) return Buffer.from(this.take(2)).readUInt16BE(0);
    if (info === 26) return Buffer.from(this.take(4)).readUInt32BE(0);
    if (info === 27) {
      const v = Buffer.from(this.take(8)).readBigUInt64BE(0);
      return v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v;
    }
    throw new CborError(`reserved CBOR additional information ${info}`);
  }

  /** A length used for allocation: must fit what is left of the input. */
  private count(arg: number | bigint): number {
    if (typeof arg === 'bigint' || arg > this.buf.length - this.pos) throw new CborError('CBOR length runs past the end of the input');
    return arg;
  }

  private take(arg: number | bigint): Uint8Array {
    const n = this.count(arg);
    const out = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    return out;
  }

  private byte(): number {
    const b = this.buf[this.pos];
    if (b === undefined) throw new CborError('CBOR input truncated');
    this.pos++;
    return b;
  }
}

function halfFloat(b: Uint8Array): number {
  const h = ((b[0] ?? 0) << 8) | (b[1] ?? 0);
  const exp = (h >> 10) & 0x1f;
  const mant = h & 0x3ff;
  const sign = h & 0x8000 ? -1 : 1;
  if (exp === 0) return sign * 2 ** -14 * (mant / 1024);
  if (exp === 31) return mant ? Number.NaN : sign * Infinity;
  return sign * 2 ** (exp - 15) * (1 + mant / 1024);
}
