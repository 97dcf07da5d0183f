import { createHash } from 'node:crypto';
import type { Verifier, VerifierResult } from '../verifiers/verifier.js';

/**
 * Cache key of one verifier result (SPEC "Cache"): the subject digest, the referrer digest and
 * the verifier's name and configuration/trust-material hash, so changing either invalidates it.
 * For verifiers that depend on nested results (a signature on an SBOM), those results are part
 * of the key too: a new or revoked signature on the artifact must not hit an old entry.
 */
export function resultCacheKey(subjectDigest: string, referrerDigest: string, verifier: Verifier, nested: readonly VerifierResult[]): string {
  const base = `${subjectDigest}|${referrerDigest}|${verifier.name}|${verifier.configHash()}`;
  if (!verifier.nestedRequirement) return base;
  const n = createHash('sha256')
    .update(JSON.stringify(nested.map((r) => [r.verifier, r.referrer.digest, r.valid, r.error?.code ?? null])))
    .digest('hex')
    .slice(0, 32);
  return `${base}|nested:${n}`;
}
