import type { Logger } from 'pino';
import { matchLabelSelector, type LabelSelector } from './match-label-selector.js';
import type { NamespaceModeSource, ValidationMode } from './ports.js';

export interface ModeConfig {
  readonly mode: ValidationMode;
  readonly namespaces: Readonly<Record<string, ValidationMode>>;
  /** Config `validation.modeLabelMayRelax`: where the Namespace label may also loosen the mode. */
  readonly modeLabelMayRelax?: {
    readonly namespaces: readonly string[];
    readonly selector: LabelSelector | null;
  } | undefined;
}

export interface ResolvedMode {
  readonly mode: ValidationMode;
  /** A `portcullis.dev/mode` label value that was not applied because it would have relaxed the mode. */
  readonly ignoredLabel?: ValidationMode | undefined;
}

/** How strict each mode is; a Map so an unexpected value has no entry (and counts as enforce). */
const STRICTNESS: ReadonlyMap<string, number> = new Map<ValidationMode, number>([['audit', 0], ['warn', 1], ['enforce', 2]]);

export function isValidationMode(v: unknown): v is ValidationMode {
  return typeof v === 'string' && STRICTNESS.has(v);
}

/** Whether `a` is stricter than `b`. */
function stricter(a: ValidationMode, b: ValidationMode): boolean {
  return (STRICTNESS.get(a) ?? 2) > (STRICTNESS.get(b) ?? 2);
}

/**
 * The validation mode for a namespace (SPEC "Validation", modes).
 *  1. `validation.namespaces[ns]`, the operator's word, wins outright.
 *  2. Else the Namespace's `portcullis.dev/mode` label, but only where it tightens the global
 *     mode (enforce > warn > audit): whoever can create or label a Namespace must not be able to
 *     switch enforcement off. It may relax the mode only in namespaces listed in
 *     `validation.modeLabelMayRelax.namespaces` or matching its `selector`.
 *  3. Else the global mode.
 * A failing label lookup falls back to the global mode (logged): it must never turn into an
 * allow on its own. The namespace is input: lookups go through Object.hasOwn / Sets / Maps.
 */
export async function resolveMode(namespace: string, config: ModeConfig, source: NamespaceModeSource | undefined, signal: AbortSignal, logger: Logger): Promise<ResolvedMode> {
  const global: ValidationMode = isValidationMode(config.mode) ? config.mode : 'enforce';
  if (!namespace) return { mode: global };
  const configured = Object.hasOwn(config.namespaces, namespace) ? config.namespaces[namespace] : undefined;
  if (isValidationMode(configured)) return { mode: configured };
  if (!source) return { mode: global };
  try {
    const labelled = await source.modeFor(namespace, signal);
    if (!isValidationMode(labelled) || labelled === global) return { mode: global };
    if (stricter(labelled, global) || await mayRelax(namespace, config, source, signal)) return { mode: labelled };
    logger.info({ namespace, label: labelled, mode: global }, 'namespace mode label would relax the configured mode; ignored (validation.modeLabelMayRelax)');
    return { mode: global, ignoredLabel: labelled };
  } catch (err) {
    logger.warn({ err: { message: (err as Error).message }, namespace }, 'namespace mode lookup failed; using the global mode');
    return { mode: global };
  }
}

async function mayRelax(namespace: string, config: ModeConfig, source: NamespaceModeSource, signal: AbortSignal): Promise<boolean> {
  const relax = config.modeLabelMayRelax;
  if (!relax) return false;
  if (relax.namespaces.includes(namespace)) return true;
  if (!relax.selector || !source.labelsFor) return false;
  const labels = await source.labelsFor(namespace, signal);
  return labels !== undefined && matchLabelSelector(relax.selector, labels);
}
