/**
 * Revocation: https://github.com/notaryproject/specifications/blob/main/specs/trust-store-trust-policy.md#certificate-revocation-evaluation
 * The check used when fetching is off (`revocation.fetch: false`, the default): a certificate
 * that names no CRL distribution point and no OCSP responder is considered not revoked;
 * otherwise its status "cannot be determined", which the spec treats as a failure of this
 * step — enforced or only logged as the policy's `revocation` action says. With fetching on,
 * ../revocation/check-chain-revocation.ts does the real check.
 */
import type { X509Certificate } from 'node:crypto';
import { oneLineName } from '../x509/describe-certificate.js';
import { readCertificateExtensions } from '../x509/read-certificate-extensions.js';
import { failed, passed, type CheckFinding } from './check-result.js';

export function checkRevocation(chain: readonly X509Certificate[]): CheckFinding {
  const published: string[] = [];
  for (const cert of chain) {
    let r: { crl: boolean; ocsp: boolean };
    try {
      r = readCertificateExtensions(cert).revocation;
    } catch {
      r = { crl: false, ocsp: false };
    }
    if (r.crl || r.ocsp) published.push(`"${oneLineName(cert.subject)}" (${[r.ocsp ? 'OCSP' : '', r.crl ? 'CRL' : ''].filter(Boolean).join(', ')})`);
  }
  if (published.length === 0) return passed('no certificate of the chain publishes revocation information (CRL or OCSP): considered not revoked');
  return failed('REVOCATION_UNKNOWN', `revocation status of ${published.join(', ')} was not checked: fetching is off (set revocation.fetch: true on the verifier to check it by OCSP/CRL, or the trust policy override "revocation" to "log" or "skip")`);
}
