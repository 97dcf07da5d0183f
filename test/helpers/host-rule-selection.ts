/**
 * Every rule that names a registry, built from config the way Portcullis builds it (Notation
 * trust policy, Cosign scopes, `validation.excludeImages`, credentials from config, a docker
 * config.json and pull-Secret keys), and what each selects for one image as a Pod writes it.
 * Used by the host-spelling bypass corpus and the registry-identity property tests: two
 * spellings of one registry must select the same thing everywhere.
 */
import { tmpdir } from 'node:os';
import { createExclusions } from '../../src/admission/exclusions.js';
import { matchRegistryHost } from '../../src/kubernetes/match-registry-host.js';
import { configCredentialProvider } from '../../src/oci/credentials/config-credential-provider.js';
import { parseDockerConfig } from '../../src/oci/credentials/docker-config-credential-provider.js';
import { parseReference } from '../../src/oci/reference.js';
import type { Credential } from '../../src/oci/types.js';
import { findTrustPolicy } from '../../src/verifiers/notation/trust-policy/find-trust-policy.js';
import { parseTrustPolicy } from '../../src/verifiers/notation/trust-policy/parse-trust-policy.js';
import type { Verifier } from '../../src/verifiers/verifier.js';
import { buildCosignVerifier, testKey, testSubject } from './cosign-test-fixtures.js';

export interface HostRules {
  /** One strict Notation statement per scope (named after it, as written), plus a `*` statement at level skip. */
  readonly notationScopes?: readonly string[];
  /** One Cosign verifier per scope glob (named after it). */
  readonly cosignScopes?: readonly string[];
  readonly excludeImages?: readonly string[];
  /** `registries.credentials` hosts; the username is the host as written. */
  readonly credentialHosts?: readonly string[];
  /** docker config.json `auths` keys; the username is the key. */
  readonly dockerConfigKeys?: readonly string[];
  /** Pull-Secret keys (kubelet matching); the first that applies wins. */
  readonly pullSecretKeys?: readonly string[];
}

export interface Selection {
  /** Name of the Notation statement selected (`*` for the wildcard), undefined when none. */
  readonly trustPolicy: string | undefined;
  /** Cosign scopes whose verifier applies. */
  readonly cosign: readonly string[];
  readonly excluded: boolean;
  readonly credential: string | undefined;
  readonly dockerConfigCredential: string | undefined;
  readonly pullSecretKey: string | undefined;
}

export interface CompiledRules {
  select(image: string): Promise<Selection>;
}

const WILDCARD = '*';
const key = testKey('ecdsa-p256');

const username = (c: Credential | undefined): string | undefined => (c?.kind === 'basic' ? c.username : undefined);

export async function compileHostRules(rules: HostRules): Promise<CompiledRules> {
  const trustPolicy = parseTrustPolicy({
    version: '1.0',
    trustPolicies: [
      ...(rules.notationScopes ?? []).map((scope) => ({
        name: scope, registryScopes: [scope], signatureVerification: { level: 'strict' }, trustStores: ['ca:release'], trustedIdentities: ['*'],
      })),
      { name: WILDCARD, registryScopes: [WILDCARD], signatureVerification: { level: 'skip' } },
    ],
  }, 'verifiers[0].trustPolicy');
  const cosign: { scope: string; verifier: Verifier }[] = [];
  for (const scope of rules.cosignScopes ?? []) {
    cosign.push({ scope, verifier: await buildCosignVerifier({ key: key.publicPem, tlog: { required: false }, scopes: [scope] }, tmpdir()) });
  }
  const exclusions = createExclusions({ excludeNamespaces: [], excludeImages: rules.excludeImages ?? [] });
  const credentials = configCredentialProvider((rules.credentialHosts ?? []).map((host) => ({ host, username: host, password: 'x' })));
  const dockerConfig = parseDockerConfig(JSON.stringify({
    auths: Object.fromEntries((rules.dockerConfigKeys ?? []).map((k) => [k, { username: k, password: 'x' }])),
  }));
  const signal = new AbortController().signal;

  return {
    async select(image) {
      const ref = parseReference(image);
      const subject = testSubject(undefined, ref.registry, ref.repository);
      return {
        trustPolicy: findTrustPolicy(trustPolicy, ref.registry, ref.repository)?.name,
        cosign: cosign.filter((c) => c.verifier.appliesTo?.(subject) ?? true).map((c) => c.scope),
        excluded: exclusions.image(image),
        credential: username(await credentials.credentialsFor(ref.registry, {}, signal)),
        dockerConfigCredential: username(dockerConfig.get(ref.registry)),
        pullSecretKey: (rules.pullSecretKeys ?? []).find((k) => matchRegistryHost(k, ref.registry)),
      };
    },
  };
}
