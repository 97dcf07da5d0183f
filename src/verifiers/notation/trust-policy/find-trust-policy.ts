/**
 * Selecting the applicable statement: an exact `registry/repository` scope wins over `*`.
 * Both sides are canonical (docs/registry-identity.md): the scopes since parseTrustPolicy, the
 * registry and repository since parseReference, so no spelling of a registry reaches `*`
 * when a scope names it.
 * https://github.com/notaryproject/specifications/blob/main/specs/trust-store-trust-policy.md#selecting-a-trust-policy-based-on-artifact-uri
 */
import type { TrustPolicy, TrustPolicyDocument } from './trust-policy.js';

export function findTrustPolicy(doc: TrustPolicyDocument, registry: string, repository: string): TrustPolicy | undefined {
  const scope = `${registry}/${repository}`;
  return doc.trustPolicies.find((p) => p.registryScopes.includes(scope)) ?? doc.trustPolicies.find((p) => p.registryScopes.includes('*'));
}
