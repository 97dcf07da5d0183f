/**
 * Credentials from Portcullis' own config, `registries.credentials: [{host, username, password} | {host, token}]`.
 * A `token` is used as a bearer token as is.
 */
import type { Credential, CredentialProvider } from '../types.js';
import { credentialKeyHost } from './credential-key-host.js';

export type ConfiguredCredential =
  | { readonly host: string; readonly username: string; readonly password: string }
  | { readonly host: string; readonly token: string };

export function configCredentialProvider(entries: readonly ConfiguredCredential[]): CredentialProvider {
  const byHost = new Map<string, Credential>();
  for (const e of entries) {
    const cred: Credential = 'token' in e
      ? { kind: 'bearer', token: e.token }
      : { kind: 'basic', username: e.username, password: e.password };
    const host = credentialKeyHost(e.host);
    if (host !== undefined && !byHost.has(host)) byHost.set(host, cred);
  }
  return {
    /** `registry` is canonical (ImageRef.registry). */
    credentialsFor(registry) {
      return Promise.resolve(byHost.get(registry));
    },
  };
}
