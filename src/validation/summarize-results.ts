import type { VerifierResult } from '../verifiers/verifier.js';

/**
 * A compact summary of the results for audit annotations: one word per verifier, `ok` when
 * any of its results is valid, else `invalid` with the first failed check's code;
 * e.g. `release-signatures ok, sbom-licenses invalid (DISALLOWED_LICENSE)`.
 */
export function summarizeResults(results: readonly VerifierResult[], errors: readonly { stage: string }[]): string {
  const by = new Map<string, string>();
  for (const r of results) {
    const prev = by.get(r.verifier);
    if (prev === 'ok') continue;
    if (r.valid) by.set(r.verifier, 'ok');
    else if (prev === undefined) by.set(r.verifier, r.error ? `invalid (${r.error.code})` : 'invalid');
  }
  // By name, so the same results always read the same whatever order the referrers came in.
  const parts = [...by].sort(([a], [b]) => a.localeCompare(b)).map(([name, state]) => `${name} ${state}`);
  for (const stage of new Set(errors.map((e) => e.stage))) parts.push(`${stage} failed`);
  return parts.length ? parts.join(', ') : 'no verified referrers';
}
