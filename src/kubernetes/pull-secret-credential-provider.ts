/**
 * Registry credentials from Kubernetes image pull Secrets (SPEC "Registry access"): the Pod's
 * own `imagePullSecrets` first, then those of its ServiceAccount (`default` when the Pod names
 * none), the order in which the kubelet tries them. Missing Secrets and ServiceAccounts are
 * skipped like the kubelet does; a malformed Secret is logged by name and skipped. Reads are
 * cached briefly so that a burst of admissions costs one API call per object.
 */
import type { Logger } from '../observability/logger.js';
import type { Credential, CredentialProvider, CredentialScope } from '../oci/types.js';
import { createTtlCache } from './create-ttl-cache.js';
import type { KubeReader } from './kube-reader.js';
import { KubernetesError } from './kubernetes-error.js';
import { matchRegistryHost } from './match-registry-host.js';
import { parseDockerConfigSecret, type DockerConfigEntry } from './parse-docker-config-secret.js';

export interface PullSecretCredentialProviderOptions {
  readonly reader: KubeReader;
  readonly logger: Logger;
  /** How long a read Secret / ServiceAccount is reused (default 30 s). */
  readonly ttlMs?: number;
  /** Bound on one API read shared by concurrent callers (default 5 s). */
  readonly loadTimeoutMs?: number;
}

export function createPullSecretCredentialProvider(options: PullSecretCredentialProviderOptions): CredentialProvider {
  const { reader, logger } = options;
  const cacheOptions = { ttlMs: options.ttlMs ?? 30_000, loadTimeoutMs: options.loadTimeoutMs ?? 5_000, max: 2_000 };
  const secrets = createTtlCache<DockerConfigEntry[]>(cacheOptions);
  const serviceAccounts = createTtlCache<readonly string[]>(cacheOptions);

  async function entriesOf(namespace: string, name: string, signal: AbortSignal): Promise<DockerConfigEntry[]> {
    return secrets.get(`${namespace}/${name}`, async (s) => {
      const secret = await reader.readSecret(namespace, name, s);
      if (secret === undefined) {
        logger.debug({ secret: `${namespace}/${name}` }, 'image pull secret not found, skipped');
        return [];
      }
      try {
        return parseDockerConfigSecret(secret);
      } catch (err) {
        if (!(err instanceof KubernetesError)) throw err;
        // The message names the Secret, never its content.
        logger.warn({ code: err.code, secret: `${namespace}/${name}` }, err.message);
        return [];
      }
    }, signal);
  }

  async function find(namespace: string, names: readonly string[], registry: string, signal: AbortSignal, seen: Set<string>): Promise<Credential | undefined> {
    for (const name of names) {
      if (seen.has(name)) continue;
      seen.add(name);
      const entries = await entriesOf(namespace, name, signal);
      const hit = entries.find((e) => matchRegistryHost(e.key, registry));
      if (hit) return hit.credential;
    }
    return undefined;
  }

  return {
    async credentialsFor(registry: string, scope: CredentialScope, signal: AbortSignal) {
      const namespace = scope.namespace;
      if (namespace === undefined || namespace === '') return undefined;
      const seen = new Set<string>();
      const fromPod = await find(namespace, scope.imagePullSecrets ?? [], registry, signal, seen);
      if (fromPod) return fromPod;
      // Without a serviceAccountName the Pod runs as `default` (the ServiceAccount admission
      // plugin sets it, but pod templates in Deployments etc. never carry it).
      const saName = scope.serviceAccountName !== undefined && scope.serviceAccountName !== '' ? scope.serviceAccountName : 'default';
      const saSecrets = await serviceAccounts.get(`${namespace}/${saName}`, async (s) => {
        const sa = await reader.readServiceAccount(namespace, saName, s);
        return sa?.imagePullSecrets ?? [];
      }, signal);
      return find(namespace, saSecrets, registry, signal, seen);
    },
  };
}
