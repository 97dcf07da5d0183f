import type { BundleCert } from './cert-state.js';

/**
 * A CA bundle from `certs` in order: each CA once (by fingerprint, first spelling kept), CAs
 * expired at `now` left out (an API server cannot trust a chain through them anyway).
 */
export function mergeCaBundle(certs: readonly BundleCert[], now: Date): BundleCert[] {
  const seen = new Set<string>();
  return certs.filter((c) => {
    if (seen.has(c.fingerprint) || c.notAfter.getTime() <= now.getTime()) return false;
    seen.add(c.fingerprint);
    return true;
  });
}
