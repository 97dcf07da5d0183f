import { AdmissionError } from './admission-error.js';

/**
 * Rejects JSON nested deeper than `maxDepth` before it is parsed: one linear pass over the
 * text that counts brackets outside strings, with no recursion, so a body of 100k `[` costs
 * a loop, not a stack. (JSON.parse itself survives deep input, but everything that walks the
 * result afterwards — our code, JSON.stringify, loggers — would not.)
 */
export function checkJsonDepth(text: string, maxDepth: number): void {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c /* \ */) i++;
      else if (c === 0x22 /* " */) inString = false;
    } else if (c === 0x22) {
      inString = true;
    } else if (c === 0x7b /* { */ || c === 0x5b /* [ */) {
      if (++depth > maxDepth) throw new AdmissionError('TOO_DEEP', `JSON nesting deeper than ${maxDepth} levels`);
    } else if (c === 0x7d /* } */ || c === 0x5d /* ] */) {
      depth--;
    }
  }
}
