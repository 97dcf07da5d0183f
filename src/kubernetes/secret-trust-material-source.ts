/**
 * Trust material (CA certificates, Cosign public keys) kept in a Kubernetes Secret, watched
 * so that verifiers are rebuilt when the Secret changes (SPEC "Verifiers": trust stores from
 * Kubernetes Secrets). `onChange` fires once per new resourceVersion, including deletion.
 */
import type { Logger } from '../observability/logger.js';
import type { TrustMaterial, TrustMaterialSource } from '../trust/types.js';
import type { KubeReader } from './kube-reader.js';
import { KubernetesError } from './kubernetes-error.js';

export interface SecretTrustMaterialSourceOptions {
  readonly reader: KubeReader;
  readonly logger: Logger;
  readonly namespace: string;
  readonly name: string;
  /** Keys to read, in this order; each must exist. Default: every key, sorted by name. */
  readonly keys?: readonly string[];
  /** Bound on load() when the caller passes no signal (default 10 s). */
  readonly timeoutMs?: number;
}

const UNKNOWN = Symbol('unknown');

export function createSecretTrustMaterialSource(options: SecretTrustMaterialSourceOptions): TrustMaterialSource {
  const { reader, logger, namespace, name } = options;
  const where = `${namespace}/${name}`;
  const listeners = new Set<() => void>();
  // resourceVersion last seen (null: the Secret did not exist).
  let seen: string | null | typeof UNKNOWN = UNKNOWN;
  let stopWatch: (() => void) | undefined;

  const onState = (secret: { resourceVersion: string } | undefined): void => {
    const rv = secret?.resourceVersion ?? null;
    if (seen === UNKNOWN) { seen = rv; return; }
    if (rv === seen) return;
    seen = rv;
    logger.info({ secret: where }, 'trust material secret changed');
    for (const l of [...listeners]) {
      try { l(); } catch (err) { logger.error({ err, secret: where }, 'trust material change handler failed'); }
    }
  };

  return {
    id: `secret:${where}`,

    async load(signal?: AbortSignal): Promise<TrustMaterial[]> {
      const secret = await reader.readSecret(namespace, name, signal ?? AbortSignal.timeout(options.timeoutMs ?? 10_000));
      if (secret === undefined) throw new KubernetesError('NOT_FOUND', `trust material secret ${where} not found`);
      if (seen === UNKNOWN) seen = secret.resourceVersion;
      const keys = options.keys ?? Object.keys(secret.data).sort();
      return keys.map((key) => {
        const bytes = secret.data[key];
        if (bytes === undefined) throw new KubernetesError('SECRET_KEY_MISSING', `trust material secret ${where} has no key "${key}"`);
        return { origin: `secret:${where}/${key}`, bytes };
      });
    },

    watch(onChange) {
      listeners.add(onChange);
      stopWatch ??= reader.watchSecret(namespace, name, onState);
      return () => {
        listeners.delete(onChange);
        if (listeners.size === 0 && stopWatch) { stopWatch(); stopWatch = undefined; }
      };
    },
  };
}
