/**
 * Expiry: a signature with `io.cncf.notary.expiry` is not valid from that time on.
 * https://github.com/notaryproject/specifications/blob/main/specs/trust-store-trust-policy.md#signature-verification-details (expiry)
 */
import type { SignedEnvelope } from '../envelope/signed-envelope.js';
import { failed, passed, type CheckFinding } from './check-result.js';

export function checkExpiry(env: SignedEnvelope, now: Date): CheckFinding {
  if (!env.expiry) return passed('the signature has no expiry');
  if (now >= env.expiry) return failed('EXPIRED_SIGNATURE', `the signature expired at ${env.expiry.toISOString()}`);
  return passed(`the signature expires at ${env.expiry.toISOString()}`);
}
