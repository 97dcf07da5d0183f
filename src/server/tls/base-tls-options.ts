import type { SecureContextOptions } from 'node:tls';

/**
 * Secure-context settings that every context of the serving listener carries: the one the
 * server starts with and every one `setSecureContext` swaps in on reload. `setSecureContext`
 * replaces the whole context, so a setting passed only at `createServer` (e.g. `minVersion`)
 * would silently fall back to Node's default after the first certificate rotation.
 */
export const BASE_TLS_OPTIONS = {
  minVersion: 'TLSv1.2',
} as const satisfies SecureContextOptions;
