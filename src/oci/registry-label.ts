/**
 * The `registry` label of the registry metrics (issue 14, SPEC "Metrics"). A label value is a
 * time series held for the life of the process, and registry hosts come from Pod specs, which
 * anyone who can create Pods writes: only registries the operator configured (insecure list,
 * credentials, docker config hosts, verifier scopes) keep their name; every other host is
 * counted under `other`. The set is fixed per config generation, so the series are bounded by
 * the config, not by what is admitted.
 */
// A config entry names its registry the way a credential key does (host, URL or host/path).
import { credentialKeyHost as hostOf } from './credentials/credential-key-host.js';

/** The label every registry not named in the config is counted under. */
export const OTHER_REGISTRY = 'other';

/** Maps a registry name (as in an ImageRef, or a token realm's host) to its metric label. */
export type RegistryLabeler = (registry: string) => string;

/**
 * `configured` are host[:port] names, URLs or `host/path` scopes as written in the config;
 * globs (`*`, `**`) name no host and are skipped. Labels are canonical registry hosts
 * (registry-identity.ts): Docker Hub's spellings are one `docker.io`.
 */
export function createRegistryLabeler(configured: Iterable<string>): RegistryLabeler {
  const known = new Set<string>();
  for (const entry of configured) {
    const host = hostOf(entry);
    if (host !== undefined) known.add(host);
  }
  return (registry) => {
    // Called on every registry request, almost always with an ImageRef's registry, which is
    // canonical already: a configured one is answered without parsing it again.
    if (known.has(registry)) return registry;
    const host = hostOf(registry);
    return host !== undefined && known.has(host) ? host : OTHER_REGISTRY;
  };
}
