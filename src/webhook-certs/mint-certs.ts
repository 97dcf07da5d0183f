/**
 * Makes the self-managed CA and serving certificates with the project's certificate code
 * (src/certs: node-forge builds them, node:crypto holds the RSA keys). Not pure (fresh keys),
 * so the rotation planner gets it injected and unit tests may count its calls.
 */
import { caFromPem, createCa } from '../certs/create-ca.js';
import { issueCert } from '../certs/issue-cert.js';
import type { CaPair, ServingPair } from './cert-state.js';
import { parseBundle } from './parse-cert-secret.js';
import { canonicalName } from './canonical-name.js';

export interface CertMinter {
  /** A CA valid from a little before `now` for `validityMs`. */
  ca(now: Date, validityMs: number): CaPair;
  /** A serving certificate for `names` signed by `ca`, never valid past the CA. */
  serving(ca: CaPair, names: readonly string[], now: Date, validityMs: number): ServingPair;
}

// Backdated so an API server whose clock is a little behind ours accepts the certificate.
const BACKDATE_MS = 5 * 60_000;

export const certMinter: CertMinter = {
  ca(now, validityMs) {
    const made = createCa({
      commonName: `Portcullis webhook CA ${now.toISOString()}`,
      notBefore: new Date(now.getTime() - BACKDATE_MS),
      notAfter: new Date(now.getTime() + validityMs),
    });
    const [cert] = parseBundle(made.certPem, 'new CA');
    return { ...(cert as NonNullable<typeof cert>), keyPem: made.keyPem, notBefore: made.cert.validity.notBefore };
  },
  serving(ca, names, now, validityMs) {
    const notAfter = new Date(Math.min(now.getTime() + validityMs, ca.notAfter.getTime()));
    const pair = issueCert(caFromPem(ca.pem, ca.keyPem), {
      usage: 'server', commonName: names[0] ?? 'portcullis', altNames: names,
      notBefore: new Date(now.getTime() - BACKDATE_MS), notAfter,
    });
    return { certPem: pair.certPem, keyPem: pair.keyPem, notAfter, issuer: ca.fingerprint, names: [...new Set(names.map(canonicalName))].sort() };
  },
};
