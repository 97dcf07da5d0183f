import type { VerifierResult } from '../verifier.js';

export interface SignatureRequirementOutcome {
  readonly satisfied: boolean;
  /** Names of the verifiers whose valid results satisfied the requirement. */
  readonly trustedBy: readonly string[];
  /** Why it is not satisfied, e.g. `no signature was found`; undefined when satisfied. */
  readonly reason: string | undefined;
}

/** How many nested failures a reason lists before summarising the rest. */
const MAX_LISTED = 3;

/**
 * Decides whether the nested results (verification of the document's own referrers, computed
 * by the pipeline) show the document signed by a trusted signer: at least one valid result
 * from one of `requirement.verifiers` (any verifier when the list is empty).
 */
export function checkSignatureRequirement(requirement: { readonly verifiers: readonly string[] }, nested: readonly VerifierResult[]): SignatureRequirementOutcome {
  const counts = (r: VerifierResult): boolean => requirement.verifiers.length === 0 || requirement.verifiers.includes(r.verifier);
  const relevant = nested.filter(counts);
  const trustedBy = [...new Set(relevant.filter((r) => r.valid).map((r) => r.verifier))];
  if (trustedBy.length > 0) return { satisfied: true, trustedBy, reason: undefined };
  const scope = requirement.verifiers.length > 0 ? ` (checked by ${requirement.verifiers.join(', ')})` : '';
  if (relevant.length === 0) return { satisfied: false, trustedBy, reason: `no signature was found${scope}` };
  const listed = relevant.slice(0, MAX_LISTED).map((r) => `${r.verifier}: ${r.error?.message ?? r.message}`);
  const more = relevant.length > MAX_LISTED ? `; and ${relevant.length - MAX_LISTED} more` : '';
  return { satisfied: false, trustedBy, reason: `${listed.join('; ')}${more}` };
}

/** The outcome as it appears in a result's `details.signature`. */
export function signatureDetails(outcome: SignatureRequirementOutcome): Record<string, unknown> {
  return { required: true, satisfied: outcome.satisfied, trustedBy: outcome.trustedBy, ...(outcome.reason ? { reason: outcome.reason } : {}) };
}
