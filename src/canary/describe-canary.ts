import type { CanaryReport } from './run-canary.js';

/**
 * `/readyz?verbose` lines for the canary, Kubernetes style (`[+]name ok` / `[-]name failed: …`).
 * One line per check; the first failing namespace and reason are named.
 */
export function describeCanary(report: CanaryReport | undefined): string[] {
  if (!report) return ['[-]canary not run yet'];
  return Object.entries(report.checks).map(([check, passed]) => {
    if (passed) return `[+]canary ${check} ok`;
    const o = report.outcomes.find((x) => x.check === check && !x.passed);
    const what = o ? `${o.allowed ? 'allowed' : 'denied'} in namespace "${o.namespace}"${o.reasons[0] ? `: ${o.reasons[0]}` : ''}` : 'failed';
    return `[-]canary ${check} failed: expected ${o?.expect ?? '?'}, ${what}`;
  });
}
