import { scanJsonShape } from './check-json-depth.js';
import { JsonError } from './json-error.js';

export interface JsonLimits {
  /** Largest accepted document, in bytes. */
  readonly maxBytes: number;
  /** Deepest accepted nesting of arrays and objects. */
  readonly maxDepth: number;
}

/**
 * Rough heap cost in V8 of one parsed array/object and of one further value in a container
 * (a pointer plus, for a number, its slot): a document of tiny values (`[{},{},…]`, `[0,0,…]`)
 * parses to many times its size, and parsing happens while the registry byte budget holds
 * the document at three times its size (src/oci/registry-client.ts BLOB_HOLD_FACTOR).
 */
const CONTAINER_COST = 56;
const VALUE_COST = 8;
/** The parsed form may cost this many times the document's bytes (plus a floor for tiny documents). */
const MAX_PARSED_FACTOR = 2;
const PARSED_FLOOR_BYTES = 64 * 1024;

/** Parser messages quote the document; keep what reaches results and logs short. */
const MAX_MESSAGE_CHARS = 200;

/**
 * Parses attacker-controlled JSON bytes within limits: size first, then nesting depth
 * (an iterative scan, so 100 000 nested arrays cost one pass and no stack) and the estimated
 * parsed size (the same scan), then strict UTF-8, then `JSON.parse`. Every refusal is a `JsonError` with a code; nothing else throws.
 * The value returned is plain data whose nesting is known to be within `maxDepth`.
 */
export function parseBoundedJson(bytes: Uint8Array, limits: JsonLimits): unknown {
  if (bytes.byteLength > limits.maxBytes) {
    throw new JsonError('TOO_LARGE', `document is ${bytes.byteLength} bytes, over the limit of ${limits.maxBytes}`);
  }
  const shape = scanJsonShape(bytes, limits.maxDepth);
  const parsed = shape.containers * CONTAINER_COST + shape.commas * VALUE_COST;
  const allowed = Math.max(PARSED_FLOOR_BYTES, bytes.byteLength * MAX_PARSED_FACTOR);
  if (parsed > allowed) {
    throw new JsonError('TOO_LARGE', `document of ${bytes.byteLength} bytes would parse to about ${parsed} bytes of values (${shape.containers} arrays/objects, ${shape.commas + 1} values), over ${allowed}`);
  }
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch (cause) {
    throw new JsonError('INVALID_UTF8', 'document is not valid UTF-8', { cause });
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (cause) {
    const reason = cause instanceof Error ? cause.message : String(cause);
    throw new JsonError('INVALID_JSON', `document is not valid JSON: ${reason.slice(0, MAX_MESSAGE_CHARS)}`, { cause });
  }
}
