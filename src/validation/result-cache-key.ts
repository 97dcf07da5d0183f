import { createHash } from 'node:crypto';
import type { Subject, Verifier, VerifierResult } from '../verifiers/verifier.js';

/**
 * Cache key of one verifier result (SPEC "Cache"): the subject's repository and digest, the referrer digest and
 * the verifier's name and configuration/trust-material hash, so changing either invalidates it.
 * For verifiers that depend on nested results (a signature on an SBOM), those results are part
 * of the key too: a new or revoked signature on the artifact must not hit an old entry.
 */
export function resultCacheKey(subject: Pick<Subject, 'registry' | 'repository' | 'digest'>, referrerDigest: string, verifier: Verifier, nested: readonly VerifierResult[]): string {
  // Where the image lives is part of the key: trust policies and scopes select by registry and
  // repository, so the same digest and signature can be valid in one repository and not another.
  const base = `${subject.registry}/${subject.repository}|${subject.digest}|${referrerDigest}|${verifier.name}|${verifier.configHash()}`;
  if (!verifier.nestedRequirement) return base;
  const n = createHash('sha256')
    .update(JSON.stringify(nested.map((r) => [r.verifier, r.referrer.digest, r.valid, r.error?.code ?? null])))
    .digest('hex')
    .slice(0, 32);
  return `${base}|nested:${n}`;
}
