/** A PolicyEngine for unit tests: allowed iff some valid result and no error; records inputs. */
import type { PolicyDecision, PolicyEngine, PolicyInput } from '../../src/policy/types.js';

export interface FakePolicyEngine extends PolicyEngine {
  readonly inputs: PolicyInput[];
}

export function createFakePolicyEngine(decide?: (input: PolicyInput) => PolicyDecision): FakePolicyEngine {
  const inputs: PolicyInput[] = [];
  const fallback = (input: PolicyInput): PolicyDecision => {
    const reasons = [
      ...input.errors.map((e) => `${e.stage} failed: ${e.message}`),
      ...input.results.filter((r) => r.error).map((r) => `${r.verifier} error: ${r.error!.message}`),
    ];
    if (!input.results.some((r) => r.valid && !r.error)) reasons.push('no valid signature');
    return { allowed: reasons.length === 0, reasons, warnings: [] };
  };
  return {
    inputs,
    async evaluate(input) {
      inputs.push(structuredClone(input));
      return (decide ?? fallback)(input);
    },
  };
}
