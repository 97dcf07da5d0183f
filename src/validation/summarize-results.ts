import type { VerifierResult } from '../verifiers/verifier.js';

/**
 * A compact summary of the results for audit annotations: one word per verifier,
 * `ok` when any of its results is valid, else `error` or `invalid`;
 * e.g. `release-signatures ok, sbom-licenses invalid`.
 */
export function summarizeResults(results: readonly VerifierResult[], errors: readonly { stage: string }[]): string {
  const by = new Map<string, 'ok' | 'invalid' | 'error'>();
  for (const r of results) {
    const state = r.error ? 'error' : r.valid ? 'ok' : 'invalid';
    const prev = by.get(r.verifier);
    if (prev === 'ok' || prev === state) continue;
    by.set(r.verifier, state === 'ok' || prev === undefined ? state : prev === 'error' ? 'error' : state);
  }
  // By name, so the same results always read the same whatever order the referrers came in.
  const parts = [...by].sort(([a], [b]) => a.localeCompare(b)).map(([name, state]) => `${name} ${state}`);
  for (const stage of new Set(errors.map((e) => e.stage))) parts.push(`${stage} failed`);
  return parts.length ? parts.join(', ') : 'no verified referrers';
}
