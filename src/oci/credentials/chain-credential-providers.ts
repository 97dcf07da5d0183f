/** Credential providers tried in order; the first that knows the registry wins (oras-go's store fallbacks). */
import type { CredentialProvider } from '../types.js';

export function chainCredentialProviders(...providers: readonly CredentialProvider[]): CredentialProvider {
  return {
    async credentialsFor(registry, scope, signal) {
      for (const p of providers) {
        const c = await p.credentialsFor(registry, scope, signal);
        if (c) return c;
      }
      return undefined;
    },
  };
}

/** No credentials at all (anonymous access). */
export const anonymousCredentials: CredentialProvider = { credentialsFor: () => Promise.resolve(undefined) };
