/**
 * The `registry` label of the registry metrics (issue 14, SPEC "Metrics"). A label value is a
 * time series held for the life of the process, and registry hosts come from Pod specs, which
 * anyone who can create Pods writes: only registries the operator configured (insecure list,
 * credentials, docker config hosts, verifier scopes) keep their name; every other host is
 * counted under `other`. The set is fixed per config generation, so the series are bounded by
 * the config, not by what is admitted.
 */
import { registryAliases } from './credentials/registry-aliases.js';

/** The label every registry not named in the config is counted under. */
export const OTHER_REGISTRY = 'other';

/** Maps a registry name (as in an ImageRef, or a token realm's host) to its metric label. */
export type RegistryLabeler = (registry: string) => string;

/**
 * `configured` are host[:port] names, URLs or `host/path` scopes as written in the config;
 * globs (`*`, `**`) name no host and are skipped.
 */
export function createRegistryLabeler(configured: Iterable<string>): RegistryLabeler {
  const known = new Map<string, string>();
  for (const entry of configured) {
    if (/[*?[\]{}!]/.test(entry.split('/')[0] ?? '')) continue;
    const aliases = registryAliases(entry);
    // Docker Hub's spellings are one registry: one label.
    const label = aliases.length > 1 ? 'docker.io' : aliases[0]!;
    for (const a of aliases) if (a) known.set(canonical(a), label);
  }
  return (registry) => known.get(canonical(registry)) ?? OTHER_REGISTRY;
}

/** Lower-case host, the default https port dropped. */
function canonical(host: string): string {
  const h = host.toLowerCase();
  return h.endsWith(':443') ? h.slice(0, -4) : h;
}
