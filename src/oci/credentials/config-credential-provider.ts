/**
 * Credentials from Portcullis' own config, `registries.credentials: [{host, username, password} | {host, token}]`.
 * A `token` is used as a bearer token as is.
 */
import type { Credential, CredentialProvider } from '../types.js';
import { registryAliases } from './registry-aliases.js';

export type ConfiguredCredential =
  | { readonly host: string; readonly username: string; readonly password: string }
  | { readonly host: string; readonly token: string };

export function configCredentialProvider(entries: readonly ConfiguredCredential[]): CredentialProvider {
  const byHost = new Map<string, Credential>();
  for (const e of entries) {
    const cred: Credential = 'token' in e
      ? { kind: 'bearer', token: e.token }
      : { kind: 'basic', username: e.username, password: e.password };
    for (const alias of registryAliases(e.host)) if (!byHost.has(alias)) byHost.set(alias, cred);
  }
  return {
    credentialsFor(registry) {
      return Promise.resolve(byHost.get(registry));
    },
  };
}
