/**
 * Authentic timestamp:
 * https://github.com/notaryproject/specifications/blob/main/specs/trust-store-trust-policy.md#steps
 * - notary.x509.signingAuthority: the authentic signing time must fall within the chain's validity.
 * - notary.x509 without a `tsa` store (or with `verifyTimestamp: afterCertExpiry` while the chain is
 *   still valid): the chain must be valid now.
 * - otherwise an RFC 3161 countersignature is required: trusted, over this signature value, not
 *   wholly before the claimed signing time, and inside every chain certificate's validity.
 */
import type { X509Certificate } from 'node:crypto';
import type { SignedEnvelope } from '../envelope/signed-envelope.js';
import { NotationError } from '../notation-error.js';
import { verifyTimestampToken, type VerifiedTimestamp } from '../timestamp/verify-timestamp-token.js';
import type { TrustPolicy } from '../trust-policy/trust-policy.js';
import { trustStoreKey, type NotationTrustStores } from '../trust-store/notation-trust-stores.js';
import { oneLineName } from '../x509/describe-certificate.js';
import { failed, passed, type CheckFinding } from './check-result.js';

export interface TimestampFinding {
  readonly finding: CheckFinding;
  readonly timestamp?: VerifiedTimestamp | undefined;
}

export function checkAuthenticTimestamp(env: SignedEnvelope, policy: TrustPolicy, stores: NotationTrustStores, now: Date): TimestampFinding {
  const chain = env.certificateChain;
  if (env.signingScheme === 'notary.x509.signingAuthority') {
    for (const c of chain) {
      if (env.signingTime < from(c) || env.signingTime > to(c)) {
        return { finding: failed(env.signingTime > to(c) ? 'EXPIRED_CERTIFICATE' : 'CERTIFICATE_NOT_YET_VALID', `certificate "${oneLineName(c.subject)}" was not valid at the authentic signing time ${env.signingTime.toISOString()}`) };
      }
    }
    return { finding: passed(`authentic signing time ${env.signingTime.toISOString()} is within the certificate chain's validity`) };
  }

  const tsaRefs = policy.trustStores.filter((r) => r.type === 'tsa');
  let useTimestamp = tsaRefs.length > 0;
  if (useTimestamp && policy.verifyTimestamp === 'afterCertExpiry' && chain.every((c) => now <= to(c))) useTimestamp = false;
  if (!useTimestamp) {
    for (const c of chain) {
      if (now < from(c)) return { finding: failed('CERTIFICATE_NOT_YET_VALID', `certificate "${oneLineName(c.subject)}" is not valid before ${from(c).toISOString()}`) };
      if (now > to(c)) return { finding: failed('EXPIRED_CERTIFICATE', `certificate "${oneLineName(c.subject)}" expired at ${to(c).toISOString()} and the signature has no trusted timestamp to prove it was made before`) };
    }
    return { finding: passed('the certificate chain is valid now (no timestamp required)') };
  }

  if (!env.timestampToken) return { finding: failed('TIMESTAMP_MISSING', `trust policy "${policy.name}" requires a timestamp countersignature and the envelope has none`) };
  const tsaCerts = tsaRefs.flatMap((r) => stores.get(trustStoreKey(r.type, r.name)) ?? []);
  let ts: VerifiedTimestamp;
  try {
    ts = verifyTimestampToken(env.timestampToken, env.signature, tsaCerts);
  } catch (e) {
    if (e instanceof NotationError) return { finding: failed(e.code, `timestamp: ${e.message}`) };
    throw e;
  }
  if (ts.latest < env.signingTime) {
    return { finding: failed('TIMESTAMP_INVALID', `timestamp [${ts.earliest.toISOString()}, ${ts.latest.toISOString()}] is before the signing time ${env.signingTime.toISOString()}`), timestamp: ts };
  }
  for (const c of chain) {
    if (ts.earliest < from(c)) return { finding: failed('TIMESTAMP_OUTSIDE_VALIDITY', `timestamp may be before certificate "${oneLineName(c.subject)}" became valid at ${from(c).toISOString()}`), timestamp: ts };
    if (ts.latest > to(c)) return { finding: failed('TIMESTAMP_OUTSIDE_VALIDITY', `timestamp may be after certificate "${oneLineName(c.subject)}" expired at ${to(c).toISOString()}`), timestamp: ts };
  }
  return { finding: passed(`timestamped at ${ts.genTime.toISOString()} by "${oneLineName((ts.tsaChain[0] as X509Certificate).subject)}", within the certificate chain's validity`), timestamp: ts };
}

const from = (c: X509Certificate): Date => c.validFromDate;
const to = (c: X509Certificate): Date => c.validToDate;
