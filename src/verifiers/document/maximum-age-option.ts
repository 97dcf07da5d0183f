import { z } from 'zod';
import { parseDuration } from './parse-duration.js';

/** `maximumAge: 720h` → `{text: '720h', ms: 2592000000}`; refused when not a duration. */
export const maximumAgeOption = z.string().transform((text, ctx) => {
  const ms = parseDuration(text);
  if (ms === undefined) {
    ctx.issues.push({ code: 'custom', message: `"${text.slice(0, 64)}" is not a duration (e.g. 720h, 30d, 1h30m)`, input: text });
    return z.NEVER;
  }
  return { text, ms };
});
