/**
 * Credential stores key entries by the registry as someone wrote it: a host (`ghcr.io`), a URL
 * (`https://index.docker.io/v1/`), a host with a path (`registry.example.com/team`), any case,
 * with or without `:443`. Lookups use the canonical registry identity (../registry-identity.ts),
 * so each key is brought to that form once, when the store is read; then every spelling of a
 * registry in a Pod finds the same credential.
 */
import { canonicalRegistryHost } from '../registry-identity.js';

/** The `host[:port]` part of a key: scheme and path dropped, as written otherwise. */
export function credentialKeyAuthority(key: string): string {
  let k = key.trim();
  const scheme = /^[a-z][a-z0-9+.-]*:\/\//i.exec(k);
  if (scheme) k = k.slice(scheme[0].length);
  const slash = k.indexOf('/');
  return slash >= 0 ? k.slice(0, slash) : k;
}

/** The canonical registry a key names (`https://index.docker.io/v1/` → `docker.io`); undefined when it names no valid host (e.g. a `*.` glob). */
export function credentialKeyHost(key: string): string | undefined {
  try {
    return canonicalRegistryHost(credentialKeyAuthority(key));
  } catch {
    return undefined;
  }
}
