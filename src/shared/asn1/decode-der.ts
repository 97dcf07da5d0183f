/**
 * A small, defensive DER reader (ITU-T X.690 §8, §10). Certificates, CMS SignedData and
 * RFC 3161 tokens come from registries, so every length is checked against the buffer, the
 * nesting depth is capped and indefinite lengths (BER only) are refused.
 */

export class Asn1Error extends Error {
  readonly code = 'MALFORMED_ASN1' as const;
  constructor(message: string) {
    super(message);
    this.name = 'Asn1Error';
  }
}

export interface DerNode {
  /** 0 universal, 1 application, 2 context-specific, 3 private. */
  readonly cls: number;
  readonly constructed: boolean;
  readonly tag: number;
  /** The whole TLV (tag, length and value). */
  readonly raw: Uint8Array;
  /** The value octets only. */
  readonly value: Uint8Array;
  /** Children of a constructed node (empty for primitives). */
  readonly children: readonly DerNode[];
}

export interface DecodeDerOptions {
  /** Deepest nesting accepted (default 32). */
  readonly maxDepth?: number;
  /** Most nodes accepted in the whole document (default 100 000). */
  readonly maxNodes?: number;
}

/** Decodes exactly one DER element filling `bytes`; throws Asn1Error on anything malformed. */
export function decodeDer(bytes: Uint8Array, options: DecodeDerOptions = {}): DerNode {
  const state = { nodes: 0, maxNodes: options.maxNodes ?? 100_000, maxDepth: options.maxDepth ?? 32 };
  const [node, end] = readNode(bytes, 0, 0, state);
  if (end !== bytes.length) throw new Asn1Error(`trailing ${bytes.length - end} bytes after DER element`);
  return node;
}

function readNode(buf: Uint8Array, offset: number, depth: number, state: { nodes: number; maxNodes: number; maxDepth: number }): [DerNode, number] {
  if (depth > state.maxDepth) throw new Asn1Error(`DER nesting deeper than ${state.maxDepth}`);
  if (++state.nodes > state.maxNodes) throw new Asn1Error(`more than ${state.maxNodes} DER elements`);
  let pos = offset;
  const first = byteAt(buf, pos++);
  const cls = first >> 6;
  const constructed = (first & 0x20) !== 0;
  let tag = first & 0x1f;
  if (tag === 0x1f) {
    // High tag number form (X.690 §8.1.2.4): base-128, capped so it stays a small integer.
    tag = 0;
    for (let i = 0; ; i++) {
      if (i >= 4) throw new Asn1Error('DER tag number too large');
      const b = byteAt(buf, pos++);
      tag = tag * 128 + (b & 0x7f);
      if ((b & 0x80) === 0) break;
    }
  }
  const lenByte = byteAt(buf, pos++);
  let length: number;
  if (lenByte < 0x80) {
    length = lenByte;
  } else if (lenByte === 0x80) {
    throw new Asn1Error('indefinite length is not DER');
  } else {
    const n = lenByte & 0x7f;
    if (n > 4) throw new Asn1Error('DER length too large');
    length = 0;
    for (let i = 0; i < n; i++) length = length * 256 + byteAt(buf, pos++);
  }
  const end = pos + length;
  if (end > buf.length) throw new Asn1Error(`DER length ${length} runs past the end of the input`);
  const value = buf.subarray(pos, end);
  const children: DerNode[] = [];
  if (constructed) {
    let p = pos;
    while (p < end) {
      const [child, next] = readNode(buf.subarray(0, end), p, depth + 1, state);
      children.push(child);
      p = next;
    }
  }
  return [{ cls, constructed, tag, raw: buf.subarray(offset, end), value, children }, end];
}

function byteAt(buf: Uint8Array, pos: number): number {
  const b = buf[pos];
  if (b === undefined) throw new Asn1Error('DER input truncated');
  return b;
}
