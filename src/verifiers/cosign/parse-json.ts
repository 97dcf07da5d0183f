import { CosignError } from './cosign-error.js';

/** Parses attacker-supplied JSON with a size cap; anything but an object is MALFORMED. */
export function parseJson(bytes: Uint8Array, what: string, maxBytes: number): Record<string, unknown> {
  if (bytes.length > maxBytes) throw new CosignError('MALFORMED', `${what} is larger than ${maxBytes} bytes`);
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(bytes).toString('utf8'));
  } catch (err) {
    throw new CosignError('MALFORMED', `${what} is not JSON: ${(err as Error).message}`, { cause: err });
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new CosignError('MALFORMED', `${what} is not a JSON object`);
  return value as Record<string, unknown>;
}
