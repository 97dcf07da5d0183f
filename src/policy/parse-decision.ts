import { PolicyError } from './policy-error.js';
import type { PolicyDecision } from './types.js';

const isStringArray = (v: unknown): v is string[] => Array.isArray(v) && v.every((x) => typeof x === 'string');

/**
 * Checks the raw result set of the decision entrypoint (`[{result: …}]`) against the SPEC
 * output shape `{allowed: bool, reasons: [string], warnings: [string]}`. Anything else is a
 * policy error (`INVALID_DECISION`), never read as a denial or an approval.
 */
export function parseDecision(resultSet: unknown): PolicyDecision {
  if (!Array.isArray(resultSet) || resultSet.length === 0) {
    throw new PolicyError('INVALID_DECISION', 'the policy gave no decision (its decision rule is undefined for this input)');
  }
  if (resultSet.length > 1) throw new PolicyError('INVALID_DECISION', `the policy gave ${resultSet.length} decisions, expected one`);
  const first: unknown = resultSet[0];
  const d: unknown = typeof first === 'object' && first !== null ? (first as { result?: unknown }).result : undefined;
  if (typeof d !== 'object' || d === null || Array.isArray(d)) {
    throw new PolicyError('INVALID_DECISION', 'the decision is not an object {allowed, reasons, warnings}');
  }
  const { allowed, reasons = [], warnings = [] } = d as Record<string, unknown>;
  if (typeof allowed !== 'boolean') throw new PolicyError('INVALID_DECISION', 'decision.allowed is not a boolean');
  if (!isStringArray(reasons)) throw new PolicyError('INVALID_DECISION', 'decision.reasons is not a list of strings');
  if (!isStringArray(warnings)) throw new PolicyError('INVALID_DECISION', 'decision.warnings is not a list of strings');
  if (!allowed && reasons.length === 0) {
    // A denial a person cannot act on is a policy bug; still a denial, but say so.
    return { allowed, reasons: ['denied by policy (the policy gave no reason)'], warnings };
  }
  return { allowed, reasons, warnings };
}
