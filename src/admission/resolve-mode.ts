import type { Logger } from 'pino';
import type { NamespaceModeSource, ValidationMode } from './ports.js';

export interface ModeConfig {
  readonly mode: ValidationMode;
  readonly namespaces: Readonly<Record<string, ValidationMode>>;
}

/**
 * The validation mode for a namespace (SPEC "Validation", modes). The operator's config for
 * the namespace wins, then the Namespace's `portcullis.dev/mode` label, then the global mode.
 * Config wins because it is the operator's word; the label is a convenience for namespaces
 * the config does not name. A failing label lookup falls back to the global mode (logged):
 * it must never turn into an allow on its own.
 */
export async function resolveMode(namespace: string, config: ModeConfig, source: NamespaceModeSource | undefined, signal: AbortSignal, logger: Logger): Promise<ValidationMode> {
  const configured = namespace ? config.namespaces[namespace] : undefined;
  if (configured) return configured;
  if (source && namespace) {
    try {
      const labelled = await source.modeFor(namespace, signal);
      if (labelled) return labelled;
    } catch (err) {
      logger.warn({ err: { message: (err as Error).message }, namespace }, 'namespace mode lookup failed; using the global mode');
    }
  }
  return config.mode;
}
