/**
 * The registries an operator named in the config: the insecure list, credentials, docker
 * config hosts and verifier scopes. They keep their name in metric labels (registry-label.ts);
 * every other host is `other`. Verifier entries are read loosely (each factory validates its
 * own options): notation `trustPolicy.trustPolicies[].registryScopes`, cosign `scopes`.
 */
import { readFileSync, statSync } from 'node:fs';
import { parseDockerConfig } from './credentials/docker-config-credential-provider.js';

export interface ConfiguredRegistriesInput {
  readonly insecure?: readonly string[];
  readonly credentials?: ReadonlyArray<{ readonly host: string }>;
  readonly dockerConfig?: string | null;
  readonly verifiers?: readonly unknown[];
}

const MAX_DOCKER_CONFIG_BYTES = 1024 * 1024;

export function configuredRegistries(input: ConfiguredRegistriesInput): string[] {
  const out = [...(input.insecure ?? []), ...(input.credentials ?? []).map((c) => c.host)];
  if (input.dockerConfig) out.push(...dockerConfigHosts(input.dockerConfig));
  for (const v of input.verifiers ?? []) out.push(...verifierScopes(v));
  return out;
}

/** The hosts of a docker config.json; a missing or unreadable file names none (credential lookups report it). */
function dockerConfigHosts(path: string): string[] {
  try {
    if (statSync(path).size > MAX_DOCKER_CONFIG_BYTES) return [];
    return [...parseDockerConfig(readFileSync(path, 'utf8')).keys()];
  } catch {
    return [];
  }
}

function verifierScopes(entry: unknown): string[] {
  const v = entry as { scopes?: unknown; trustPolicy?: { trustPolicies?: unknown } } | null;
  const strings = (x: unknown): string[] => (Array.isArray(x) ? x.filter((s): s is string => typeof s === 'string') : []);
  const policies = Array.isArray(v?.trustPolicy?.trustPolicies) ? v.trustPolicy.trustPolicies as unknown[] : [];
  return [
    ...strings(v?.scopes),
    ...policies.flatMap((p) => strings((p as { registryScopes?: unknown } | null)?.registryScopes)),
  ];
}
