/**
 * Authenticity: some certificate of the envelope's chain is in a trust store of the type the
 * signing scheme requires (`ca` for notary.x509, `signingAuthority` for notary.x509.signingAuthority).
 * https://github.com/notaryproject/specifications/blob/main/specs/trust-store-trust-policy.md#steps
 */
import type { SignedEnvelope } from '../envelope/signed-envelope.js';
import type { TrustPolicy, TrustStoreType } from '../trust-policy/trust-policy.js';
import { trustStoreKey, type NotationTrustStores } from '../trust-store/notation-trust-stores.js';
import { failed, passed, type CheckFinding } from './check-result.js';

export function checkAuthenticity(env: SignedEnvelope, policy: TrustPolicy, stores: NotationTrustStores): CheckFinding {
  const type: TrustStoreType = env.signingScheme === 'notary.x509' ? 'ca' : 'signingAuthority';
  const refs = policy.trustStores.filter((r) => r.type === type).map((r) => trustStoreKey(r.type, r.name));
  if (refs.length === 0) return failed('UNTRUSTED_CHAIN', `trust policy "${policy.name}" has no ${type} trust store for ${env.signingScheme} signatures`);
  for (const key of refs) {
    const certs = stores.get(key) ?? [];
    if (certs.some((t) => env.certificateChain.some((c) => c.raw.equals(t.raw)))) return passed(`certificate chain leads to trust store ${key}`);
  }
  return failed('UNTRUSTED_CHAIN', `certificate chain does not lead to trust store ${refs.join(' or ')}`);
}
