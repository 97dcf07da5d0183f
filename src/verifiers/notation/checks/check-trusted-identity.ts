/**
 * Trusted identities: `*`, or an `x509.subject` DN whose attributes all appear in the
 * signing certificate's subject.
 * https://github.com/notaryproject/specifications/blob/main/specs/trust-store-trust-policy.md#trusted-identities-constraints
 */
import type { X509Certificate } from 'node:crypto';
import type { TrustPolicy } from '../trust-policy/trust-policy.js';
import { oneLineName } from '../x509/describe-certificate.js';
import { isSubsetDn } from '../x509/parse-distinguished-name.js';
import { readSubjectName } from '../x509/read-subject-name.js';
import { failed, passed, type CheckFinding } from './check-result.js';

export function checkTrustedIdentity(leaf: X509Certificate, policy: TrustPolicy): CheckFinding {
  const subject = oneLineName(leaf.subject);
  if (policy.trustedIdentities === '*') return passed(`any identity is trusted by policy "${policy.name}"`);
  let dn;
  try {
    dn = readSubjectName(leaf);
  } catch {
    return failed('UNTRUSTED_IDENTITY', `the subject of signer "${subject}" cannot be read`);
  }
  if (!dn) return failed('UNTRUSTED_IDENTITY', `signer "${subject}" has multi-valued or repeated subject attributes, which trusted identities cannot match`);
  const i = policy.trustedIdentities.findIndex((t) => isSubsetDn(t, dn));
  if (i >= 0) return passed(`signer "${subject}" matches trusted identity ${JSON.stringify(policy.trustedIdentitiesText[i] ?? '')}`);
  return failed('UNTRUSTED_IDENTITY', `signer "${subject}" is not a trusted identity of policy "${policy.name}"`);
}
