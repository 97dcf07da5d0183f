/**
 * Trust policy document version 1.0, parsed and validated:
 * https://github.com/notaryproject/specifications/blob/main/specs/trust-store-trust-policy.md#trust-policy
 */
import type { DistinguishedName } from '../x509/parse-distinguished-name.js';

export type VerificationLevel = 'strict' | 'permissive' | 'audit' | 'skip';
export type ValidationType = 'integrity' | 'authenticity' | 'authenticTimestamp' | 'expiry' | 'revocation';
export type ValidationAction = 'enforce' | 'log' | 'skip';
export type TrustStoreType = 'ca' | 'signingAuthority' | 'tsa';

export interface TrustStoreRef {
  readonly type: TrustStoreType;
  readonly name: string;
}

export interface TrustPolicy {
  readonly name: string;
  /** `['*']` or `registry/repository` scopes, in the canonical registry identity (set at parse). */
  readonly registryScopes: readonly string[];
  readonly level: VerificationLevel;
  /** The level's actions with `override` applied. */
  readonly actions: Readonly<Record<ValidationType, ValidationAction>>;
  readonly verifyTimestamp: 'always' | 'afterCertExpiry';
  readonly trustStores: readonly TrustStoreRef[];
  /** `'*'` trusts any identity; otherwise the `x509.subject` DNs (other identity types never match). */
  readonly trustedIdentities: '*' | readonly DistinguishedName[];
  /** As written, for messages. */
  readonly trustedIdentitiesText: readonly string[];
}

export interface TrustPolicyDocument {
  readonly version: '1.0';
  readonly trustPolicies: readonly TrustPolicy[];
}
