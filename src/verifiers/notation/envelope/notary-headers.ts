/**
 * Protected-header rules shared by both envelopes:
 * https://github.com/notaryproject/specifications/blob/main/specs/signature-envelope-jws.md#protected-headers
 * https://github.com/notaryproject/specifications/blob/main/specs/signature-envelope-cose.md#protected-headers
 */
import { NotationError } from '../notation-error.js';
import type { SigningScheme } from './signed-envelope.js';

export const PAYLOAD_CONTENT_TYPE = 'application/vnd.cncf.notary.payload.v1+json';
export const HEADER = {
  signingScheme: 'io.cncf.notary.signingScheme',
  signingTime: 'io.cncf.notary.signingTime',
  authenticSigningTime: 'io.cncf.notary.authenticSigningTime',
  expiry: 'io.cncf.notary.expiry',
  verificationPlugin: 'io.cncf.notary.verificationPlugin',
  verificationPluginMinVersion: 'io.cncf.notary.verificationPluginMinVersion',
  timestampSignature: 'io.cncf.notary.timestampSignature',
  signingAgent: 'io.cncf.notary.signingAgent',
} as const;

/** Notary headers a verifier understands when they are marked critical. */
const KNOWN_CRITICAL: ReadonlySet<string> = new Set([
  HEADER.signingScheme, HEADER.expiry, HEADER.authenticSigningTime, HEADER.verificationPlugin, HEADER.verificationPluginMinVersion,
]);

export function parseSigningScheme(v: unknown): SigningScheme {
  if (v === 'notary.x509' || v === 'notary.x509.signingAuthority') return v;
  throw new NotationError('MALFORMED_ENVELOPE', `unsupported signing scheme ${JSON.stringify(v)}`);
}

/**
 * Enforces `crit`: every listed header must be present and understood (an unknown critical
 * header fails, RFC 7515 §4.1.11 / RFC 9052 §3.1), and the headers the Notary spec requires
 * to be critical are listed.
 */
export function checkCriticalHeaders(crit: unknown, present: (name: string) => boolean, scheme: SigningScheme): void {
  if (!Array.isArray(crit) || crit.length === 0 || crit.some((c) => typeof c !== 'string')) {
    throw new NotationError('MALFORMED_ENVELOPE', '"crit" protected header must be a non-empty list of header names');
  }
  const names = crit as string[];
  if (new Set(names).size !== names.length) throw new NotationError('MALFORMED_ENVELOPE', '"crit" lists a header twice');
  for (const name of names) {
    if (!KNOWN_CRITICAL.has(name)) throw new NotationError('UNKNOWN_CRITICAL_HEADER', `critical header ${JSON.stringify(name)} is not understood`);
    if (!present(name)) throw new NotationError('MALFORMED_ENVELOPE', `critical header ${JSON.stringify(name)} is missing from the protected headers`);
  }
  const mustBeCritical: string[] = [HEADER.signingScheme];
  if (present(HEADER.expiry)) mustBeCritical.push(HEADER.expiry);
  if (scheme === 'notary.x509.signingAuthority') mustBeCritical.push(HEADER.authenticSigningTime);
  if (present(HEADER.verificationPlugin)) mustBeCritical.push(HEADER.verificationPlugin);
  if (present(HEADER.verificationPluginMinVersion)) mustBeCritical.push(HEADER.verificationPluginMinVersion);
  for (const name of mustBeCritical) {
    if (!names.includes(name)) throw new NotationError('MALFORMED_ENVELOPE', `header ${JSON.stringify(name)} must be marked critical`);
  }
}
