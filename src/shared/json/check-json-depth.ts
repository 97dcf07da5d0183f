import { JsonError } from './json-error.js';

const OPEN_OBJECT = 0x7b; // {
const OPEN_ARRAY = 0x5b; // [
const CLOSE_OBJECT = 0x7d; // }
const CLOSE_ARRAY = 0x5d; // ]
const QUOTE = 0x22; // "
const BACKSLASH = 0x5c; // \
const COMMA = 0x2c; // ,

/** What one scan of a JSON document found, outside strings. */
export interface JsonShape {
  /** Deepest nesting of arrays and objects. */
  readonly deepest: number;
  /** Arrays and objects. */
  readonly containers: number;
  /** Commas: one per value after the first in each container. */
  readonly commas: number;
}

/**
 * Scans JSON bytes once, without recursion and without decoding them, and throws
 * `JsonError('TOO_DEEP')` as soon as arrays/objects nest deeper than `maxDepth`.
 * Returns the deepest nesting seen. Run it before `JSON.parse`: V8's parser recurses, and
 * whatever walks the parsed value afterwards would too, so the depth has to be bounded first.
 * Brackets inside strings are skipped; the scan does not judge whether the JSON is well formed
 * (the parser does that next).
 */
export function checkJsonDepth(bytes: Uint8Array, maxDepth: number): number {
  return scanJsonShape(bytes, maxDepth).deepest;
}

/** The scan of checkJsonDepth, also counting containers and commas (for the parsed size). */
export function scanJsonShape(bytes: Uint8Array, maxDepth: number): JsonShape {
  let depth = 0;
  let deepest = 0;
  let containers = 0;
  let commas = 0;
  let inString = false;
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i];
    if (inString) {
      if (b === BACKSLASH) i++; // the escaped byte is never a closing quote
      else if (b === QUOTE) inString = false;
      continue;
    }
    if (b === QUOTE) inString = true;
    else if (b === COMMA) commas++;
    else if (b === OPEN_OBJECT || b === OPEN_ARRAY) {
      containers++;
      depth++;
      if (depth > maxDepth) throw new JsonError('TOO_DEEP', `JSON nests deeper than ${maxDepth} levels (at byte ${i})`);
      if (depth > deepest) deepest = depth;
    } else if (b === CLOSE_OBJECT || b === CLOSE_ARRAY) {
      if (depth > 0) depth--;
    }
  }
  return { deepest, containers, commas };
}
