/**
 * The credential chain from config `registries` (SPEC "Registry access"): config credentials
 * first, then the docker config.json, then any further providers (Kubernetes pull secrets are
 * built elsewhere and passed in `extra`, first in line since they are the most specific).
 */
import type { CredentialProvider } from './types.js';
import { chainCredentialProviders } from './credentials/chain-credential-providers.js';
import { configCredentialProvider, type ConfiguredCredential } from './credentials/config-credential-provider.js';
import { dockerConfigCredentialProvider } from './credentials/docker-config-credential-provider.js';

export interface RegistriesCredentialConfig {
  readonly credentials?: readonly ConfiguredCredential[];
  readonly dockerConfig?: string | null;
}

export function createCredentialProvider(config: RegistriesCredentialConfig, extra: readonly CredentialProvider[] = []): CredentialProvider {
  const providers: CredentialProvider[] = [...extra];
  if (config.credentials?.length) providers.push(configCredentialProvider(config.credentials));
  if (config.dockerConfig) providers.push(dockerConfigCredentialProvider(config.dockerConfig));
  return chainCredentialProviders(...providers);
}
