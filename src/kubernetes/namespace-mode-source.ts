/**
 * The per-namespace validation mode (SPEC "Validation › Modes"): the Namespace label
 * `portcullis.dev/mode` = enforce | warn | audit. Any other value is ignored (logged) so a typo
 * can never weaken enforcement; a missing Namespace or label means "no override".
 * Cached for a few seconds: a label change takes effect within `ttlMs`.
 */
import type { NamespaceModeSource, ValidationMode } from '../admission/ports.js';
import type { Logger } from '../observability/logger.js';
import { createTtlCache } from './create-ttl-cache.js';
import type { KubeReader } from './kube-reader.js';

export const MODE_LABEL = 'portcullis.dev/mode';
const MODES: ReadonlySet<string> = new Set<ValidationMode>(['enforce', 'warn', 'audit']);

export interface NamespaceModeSourceOptions {
  readonly reader: KubeReader;
  readonly logger: Logger;
  /** Default 5 s. */
  readonly ttlMs?: number;
  /** Bound on one API read shared by concurrent callers (default 5 s). */
  readonly loadTimeoutMs?: number;
}

/**
 * Reads the mode label through the API server. API failures reject with a KubernetesError;
 * the caller then applies the configured (global) mode, i.e. fails towards enforcement.
 */
export function createNamespaceModeSource(options: NamespaceModeSourceOptions): NamespaceModeSource {
  const { reader, logger } = options;
  const cache = createTtlCache<ValidationMode | null>({ ttlMs: options.ttlMs ?? 5_000, loadTimeoutMs: options.loadTimeoutMs ?? 5_000, max: 10_000 });
  return {
    async modeFor(namespace, signal) {
      const mode = await cache.get(namespace, async (s) => {
        const ns = await reader.readNamespace(namespace, s);
        const value = ns?.labels[MODE_LABEL];
        if (value === undefined) return null;
        if (MODES.has(value)) return value as ValidationMode;
        logger.warn({ namespace, label: MODE_LABEL, value: value.slice(0, 64) }, 'ignoring unknown namespace mode label value');
        return null;
      }, signal);
      return mode ?? undefined;
    },
  };
}
