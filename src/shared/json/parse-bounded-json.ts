import { checkJsonDepth } from './check-json-depth.js';
import { JsonError } from './json-error.js';

export interface JsonLimits {
  /** Largest accepted document, in bytes. */
  readonly maxBytes: number;
  /** Deepest accepted nesting of arrays and objects. */
  readonly maxDepth: number;
}

/** Parser messages quote the document; keep what reaches results and logs short. */
const MAX_MESSAGE_CHARS = 200;

/**
 * Parses attacker-controlled JSON bytes within limits: size first, then nesting depth
 * (an iterative scan, so 100 000 nested arrays cost one pass and no stack), then strict
 * UTF-8, then `JSON.parse`. Every refusal is a `JsonError` with a code; nothing else throws.
 * The value returned is plain data whose nesting is known to be within `maxDepth`.
 */
export function parseBoundedJson(bytes: Uint8Array, limits: JsonLimits): unknown {
  if (bytes.byteLength > limits.maxBytes) {
    throw new JsonError('TOO_LARGE', `document is ${bytes.byteLength} bytes, over the limit of ${limits.maxBytes}`);
  }
  checkJsonDepth(bytes, limits.maxDepth);
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
