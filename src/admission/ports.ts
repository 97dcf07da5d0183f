/**
 * The ports the admission server reaches the rest of Portcullis through. Implementations are
 * built in the composition root (src/main.ts); unit tests inject fakes from test/helpers/.
 */
import type { PolicyRequest } from '../policy/types.js';

export type ValidationMode = 'enforce' | 'warn' | 'audit';

/** What every port call gets: the deadline and who asks. */
export interface AdmissionContext {
  /** Aborted when the answer must be sent (the API server's timeout minus the buffer). */
  readonly signal: AbortSignal;
  /** Epoch milliseconds at which `signal` aborts. */
  readonly deadline: number;
  readonly request: PolicyRequest & { readonly dryRun: boolean };
  /** For registry credentials from Kubernetes: the pod's service account and pull secrets. */
  readonly pod: { readonly serviceAccountName?: string | undefined; readonly imagePullSecrets: readonly string[] };
}

export type PinOutcome =
  | { readonly kind: 'pinned'; readonly reference: string; readonly digest: string }
  | { readonly kind: 'unchanged' }
  | { readonly kind: 'error'; readonly code: string; readonly message: string };

/** Mutation: pins image references (as written) to digests. */
export interface ImagePinner {
  /** One outcome per unique input string; never throws for a single image's failure. */
  pin(images: readonly string[], ctx: AdmissionContext): Promise<Map<string, PinOutcome>>;
}

/** The decision on one image, as the policy made it. */
export interface ImageVerdict {
  /** The image as written in the object. */
  readonly image: string;
  readonly allowed: boolean;
  readonly reasons: readonly string[];
  readonly warnings: readonly string[];
  /** Compact one-line summary for audit annotations, e.g. `allowed: notation ok, sbom ok`. */
  readonly summary: string;
}

/** What a validation is for. */
export interface ValidateOptions {
  /**
   * The mode the verdicts will be used in (resolved per namespace). Enforce (also when absent)
   * verifies only digests the spec names; warn and audit may resolve tags to report on them.
   */
  readonly mode?: ValidationMode | undefined;
}

/** Validation: the full pipeline (resolve, referrers, verifiers, policy) per unique image. */
export interface ImageValidator {
  /** One verdict per unique input string. Rejects only when no verdict can be given at all. */
  validate(images: readonly string[], ctx: AdmissionContext, options?: ValidateOptions): Promise<ImageVerdict[]>;
}

/** The `portcullis.dev/mode` label of a Namespace, read through the API server. */
export interface NamespaceModeSource {
  /** The label's mode; undefined without a Namespace, a label or a known value. */
  modeFor(namespace: string, signal: AbortSignal): Promise<ValidationMode | undefined>;
  /**
   * All labels of the Namespace (for `validation.modeLabelMayRelax.selector`); undefined
   * without a Namespace. A source without it matches no selector.
   */
  labelsFor?(namespace: string, signal: AbortSignal): Promise<ReadonlyMap<string, string> | undefined>;
}
