/**
 * The per-namespace validation mode (SPEC "Validation › Modes"): the Namespace label
 * `portcullis.dev/mode` = enforce | warn | audit. Any other value is ignored (logged) so a typo
 * can never weaken enforcement; a missing Namespace or label means "no override". Whether the
 * label may relax the configured mode is decided by the caller (src/admission/resolve-mode.ts).
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
 * Reads the Namespace's labels through the API server. API failures reject with a
 * KubernetesError; the caller then applies the configured mode, i.e. fails towards enforcement.
 */
export function createNamespaceModeSource(options: NamespaceModeSourceOptions): NamespaceModeSource {
  const { reader, logger } = options;
  // Labels go into a Map: they are keyed by input and must never reach Object.prototype.
  const cache = createTtlCache<ReadonlyMap<string, string> | null>({ ttlMs: options.ttlMs ?? 5_000, loadTimeoutMs: options.loadTimeoutMs ?? 5_000, max: 10_000 });
  const labelsFor = async (namespace: string, signal: AbortSignal): Promise<ReadonlyMap<string, string> | undefined> => {
    const labels = await cache.get(namespace, async (s) => {
      const ns = await reader.readNamespace(namespace, s);
      return ns ? new Map(Object.entries(ns.labels).filter((e): e is [string, string] => typeof e[1] === 'string')) : null;
    }, signal);
    return labels ?? undefined;
  };
  return {
    labelsFor,
    async modeFor(namespace, signal) {
      const value = (await labelsFor(namespace, signal))?.get(MODE_LABEL);
      if (value === undefined) return undefined;
      if (MODES.has(value)) return value as ValidationMode;
      logger.warn({ namespace, label: MODE_LABEL, value: value.slice(0, 64) }, 'ignoring unknown namespace mode label value');
      return undefined;
    },
  };
}
