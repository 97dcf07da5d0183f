import type { Metrics } from '../observability/metrics.js';
import type { VerifierDeps } from '../verifiers/verifier.js';
import { createHttpRevocationFetcher } from './create-http-revocation-fetcher.js';

/** The HTTP revocation fetcher and the metrics its fetches and the verifiers' cache lookups feed. */
export function revocationPorts(metrics?: Pick<Metrics, 'revocationFetches' | 'revocationFetchDuration' | 'cacheRequests'>): Pick<VerifierDeps, 'revocationFetcher' | 'onRevocationEvent'> {
  return {
    revocationFetcher: createHttpRevocationFetcher({ onFetch: (kind, seconds) => metrics?.revocationFetchDuration.observe({ kind }, seconds) }),
    onRevocationEvent: (e) => {
      if (!metrics) return;
      if (e.type === 'fetch') metrics.revocationFetches.inc({ kind: e.kind, result: e.result });
      else metrics.cacheRequests.inc({ kind: 'revocation', result: e.result });
    },
  };
}
