/** Public surface of the OCI client (what the composition root and other domains import). */
export { createRegistryClient, type RegistryClientOptions, type OciRegistryClient, type PortcullisRegistryClient, type PlatformManifests, type FetchedManifest } from './registry-client.js';
export { createCredentialProvider, type RegistriesCredentialConfig } from './create-credential-provider.js';
export { configCredentialProvider, type ConfiguredCredential } from './credentials/config-credential-provider.js';
export { dockerConfigCredentialProvider, parseDockerConfig } from './credentials/docker-config-credential-provider.js';
export { chainCredentialProviders, anonymousCredentials } from './credentials/chain-credential-providers.js';
export { parseReference, formatReference, apiHost } from './reference.js';
export { canonicalRegistryHost, canonicalRepository, canonicalPlainHttpHost, registryIdentity, identityName, isDockerHub, DOCKER_HUB, type RegistryIdentity } from './registry-identity.js';
export { registerDeadline, deadlineSignal, deadlineOf } from './deadline.js';
export { OciError, isNotFound, type OciErrorCode } from './errors.js';
export { digestOf, verifyDigest, parseDigest } from './digest.js';
export { parseManifest, type ParsedManifest } from './parse-manifest.js';
