/**
 * Reads an OPA bundle (tar.gz from `opa build -t wasm`): `/policy.wasm` and `/data.json`.
 * The archive is parsed here rather than with a tar library so that every size is capped and
 * nothing is written to disk: a bundle is operator input, but a broken or hostile one must be
 * refused with a clear error, never crash or fill memory.
 * Format: POSIX ustar (https://pubs.opengroup.org/onlinepubs/9699919799/utilities/pax.html).
 */
import { gunzipSync } from 'node:zlib';
import { PolicyError } from './policy-error.js';

export interface PolicyBundle {
  readonly wasm: Uint8Array;
  /** The bundle's data.json (an object); `{}` when the bundle has none. */
  readonly data: Record<string, unknown>;
}

/** Largest uncompressed bundle accepted (policy.wasm of a big policy is a few MiB). */
export const MAX_BUNDLE_BYTES = 64 * 1024 * 1024;

const BLOCK = 512;

/** Parses a bundle from its tar.gz bytes. Throws PolicyError `INVALID_BUNDLE`. */
export function readBundle(bytes: Uint8Array, maxBytes = MAX_BUNDLE_BYTES): PolicyBundle {
  let tar: Buffer;
  try {
    tar = gunzipSync(bytes, { maxOutputLength: maxBytes });
  } catch (cause) {
    throw new PolicyError('INVALID_BUNDLE', `bundle is not a gzip archive within ${maxBytes} bytes: ${(cause as Error).message}`, { cause });
  }
  const files = new Map<string, Uint8Array>();
  let offset = 0;
  let longName: string | undefined;
  while (offset + BLOCK <= tar.length) {
    const header = tar.subarray(offset, offset + BLOCK);
    if (header.every((b) => b === 0)) break; // end-of-archive marker
    if (!checksumOk(header)) throw new PolicyError('INVALID_BUNDLE', `bundle tar header at byte ${offset} has a bad checksum`);
    const size = parseOctal(header.subarray(124, 136));
    if (size === undefined || offset + BLOCK + size > tar.length) {
      throw new PolicyError('INVALID_BUNDLE', `bundle tar entry at byte ${offset} has a bad size`);
    }
    const type = String.fromCharCode(header[156] ?? 0);
    const body = tar.subarray(offset + BLOCK, offset + BLOCK + size);
    const prefix = cString(header.subarray(345, 500));
    const name = longName ?? (prefix ? `${prefix}/${cString(header.subarray(0, 100))}` : cString(header.subarray(0, 100)));
    longName = undefined;
    if (type === 'L') longName = cString(body); // GNU long name for the next entry
    else if (type === '0' || type === '\0') files.set(normalise(name), body);
    // directories, links and pax headers carry nothing we need
    offset += BLOCK + Math.ceil(size / BLOCK) * BLOCK;
  }
  const wasm = files.get('policy.wasm');
  if (!wasm) throw new PolicyError('INVALID_BUNDLE', 'bundle has no /policy.wasm (build it with `opa build -t wasm`)');
  const dataBytes = files.get('data.json');
  let data: unknown = {};
  if (dataBytes && dataBytes.length > 0) {
    try {
      data = JSON.parse(Buffer.from(dataBytes).toString('utf8'));
    } catch (cause) {
      throw new PolicyError('INVALID_BUNDLE', `bundle /data.json is not JSON: ${(cause as Error).message}`, { cause });
    }
  }
  if (typeof data !== 'object' || data === null || Array.isArray(data)) {
    throw new PolicyError('INVALID_BUNDLE', 'bundle /data.json is not a JSON object');
  }
  return { wasm: new Uint8Array(wasm), data: data as Record<string, unknown> };
}

function normalise(name: string): string {
  return name.replace(/^(\.\/|\/)+/, '');
}

function cString(b: Uint8Array): string {
  const end = b.indexOf(0);
  return Buffer.from(end === -1 ? b : b.subarray(0, end)).toString('utf8');
}

function parseOctal(b: Uint8Array): number | undefined {
  const s = cString(b).trim();
  if (!/^[0-7]+$/.test(s)) return s === '' ? 0 : undefined;
  const n = parseInt(s, 8);
  return Number.isSafeInteger(n) ? n : undefined;
}

function checksumOk(header: Uint8Array): boolean {
  const want = parseOctal(header.subarray(148, 156));
  let sum = 0;
  for (let i = 0; i < BLOCK; i++) sum += i >= 148 && i < 156 ? 32 : (header[i] ?? 0);
  return want === sum;
}
