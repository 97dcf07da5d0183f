/**
 * A bounded reason code for an image the policy denied, for `portcullis_image_denials_total`
 * (docs/metrics.md). Reason text comes from the policy and names images, so it cannot be a
 * label; the code says what the policy input looked like when it denied.
 */
import type { DetailedVerdict, TargetReport } from '../validation/create-image-validator.js';

export const DENIAL_REASONS = [
  'invalid-reference', 'policy-error',
  'stage-resolve', 'stage-platforms', 'stage-referrers', 'stage-fetch', 'stage-verify', 'stage-other',
  'no-signature', 'invalid-signature', 'sbom', 'vulnerabilityreport', 'policy',
] as const;
export type DenialReason = (typeof DENIAL_REASONS)[number];

const STAGES = new Set(['resolve', 'platforms', 'referrers', 'fetch', 'verify']);

function targetReason(t: TargetReport): DenialReason {
  if (t.policyError !== undefined) return 'policy-error';
  const stage = t.input.errors[0]?.stage;
  if (stage !== undefined) return STAGES.has(stage) ? (`stage-${stage}` as DenialReason) : 'stage-other';
  const results = t.input.results;
  const signatures = results.filter((r) => r.type === 'notation' || r.type === 'cosign');
  if (signatures.length === 0) return 'no-signature';
  if (!signatures.some((r) => r.valid && !r.error)) return 'invalid-signature';
  const bad = results.find((r) => (r.type === 'sbom' || r.type === 'vulnerabilityreport') && (!r.valid || r.error));
  if (bad) return bad.type as DenialReason;
  return 'policy';
}

/** The code of a denied verdict: its first denied target's; `undefined` when it was allowed. */
export function denialReason(v: DetailedVerdict): DenialReason | undefined {
  if (v.allowed) return undefined;
  const denied = v.targets.find((t) => !t.decision.allowed);
  return denied ? targetReason(denied) : 'invalid-reference';
}
