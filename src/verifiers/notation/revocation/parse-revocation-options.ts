import { z } from 'zod';
import { configErrorFromZod } from '../../document/config-error-from-zod.js';
import { DEFAULT_REVOCATION_OPTIONS as D, type RevocationOptions } from './revocation-options.js';

const host = z.string().min(1).max(255).regex(/^[A-Za-z0-9.-]+(:\d{1,5})?$|^\[[0-9A-Fa-f:.]+\](:\d{1,5})?$/, 'a host or host:port');

const schema = z.strictObject({
  fetch: z.boolean().default(D.fetch),
  allowedHosts: z.array(host).max(256).optional(),
  ocspTimeoutMs: z.number().int().min(100).max(30_000).default(D.ocspTimeoutMs),
  crlTimeoutMs: z.number().int().min(100).max(60_000).default(D.crlTimeoutMs),
  maxOcspBytes: z.number().int().min(1024).max(1024 * 1024).default(D.maxOcspBytes),
  maxCrlBytes: z.number().int().min(1024).max(64 * 1024 * 1024).default(D.maxCrlBytes),
  cacheMaxSeconds: z.number().int().min(0).max(7 * 24 * 3600).default(D.cacheMaxSeconds),
  cacheMaxEntries: z.number().int().min(1).max(1_000_000).default(D.cacheMaxEntries),
  ocspMaxAgeSeconds: z.number().int().min(0).max(7 * 24 * 3600).default(D.ocspMaxAgeSeconds),
});

/** Validates a notation verifier's `revocation` block; absent: the defaults (no fetching). */
export function parseRevocationOptions(raw: unknown, path: string): RevocationOptions {
  const parsed = schema.safeParse(raw ?? {});
  if (!parsed.success) throw configErrorFromZod(parsed.error, path);
  return parsed.data;
}
