/**
 * Turns a scan into wgpolicyk8s.io/v1alpha2 objects (Kubernetes Policy WG PolicyReport API,
 * kubernetes-sigs/wg-policy-prototypes policy-report/apis/wgpolicyk8s.io/v1alpha2): one
 * PolicyReport per namespace with one result per image per object, and one
 * ClusterPolicyReport with the scan's totals and whatever kept part of the cluster unaudited.
 */
import type { AuditOutcome, AuditResult, AuditScan } from './audit-types.js';

export const REPORT_NAME = 'portcullis-images';
export const MANAGED_BY = { 'app.kubernetes.io/managed-by': 'portcullis' } as const;
const API_VERSION = 'wgpolicyk8s.io/v1alpha2';
const POLICY = 'portcullis-image-verification';
/** PolicyReport messages are for people; a policy's reasons can be long. */
const MAX_MESSAGE = 2048;

type Summary = Record<AuditOutcome, number>;
const emptySummary = (): Summary => ({ pass: 0, fail: 0, warn: 0, error: 0, skip: 0 });
const clip = (s: string) => (s.length > MAX_MESSAGE ? `${s.slice(0, MAX_MESSAGE - 1)}…` : s);

function toResult(r: AuditResult, seconds: number): Record<string, unknown> {
  return {
    source: 'portcullis',
    policy: POLICY,
    rule: 'verify-images',
    category: 'Image verification',
    severity: 'high',
    result: r.outcome,
    scored: true,
    timestamp: { seconds, nanos: 0 },
    message: clip(r.message),
    resources: [{ apiVersion: r.object.apiVersion, kind: r.object.kind, namespace: r.object.namespace, name: r.object.name, uid: r.object.uid }],
    properties: { image: r.image, mode: r.mode, summary: clip(r.summary) },
  };
}

export interface BuiltReports {
  readonly namespaced: Record<string, unknown>[];
  readonly cluster: Record<string, unknown>;
  readonly summary: Summary;
}

export function buildPolicyReports(scan: AuditScan, options: { maxResultsPerReport: number }): BuiltReports {
  const seconds = Math.floor(scan.at.getTime() / 1000);
  const byNamespace = new Map<string, AuditResult[]>();
  for (const r of scan.results) {
    const list = byNamespace.get(r.object.namespace) ?? [];
    list.push(r);
    byNamespace.set(r.object.namespace, list);
  }
  const total = emptySummary();
  const problems = scan.problems.map((p) => p.message);
  const namespaced = [...byNamespace.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([namespace, all]) => {
    // Failures first, so a cap drops passes before anything that needs attention.
    const rank: Record<AuditOutcome, number> = { fail: 0, error: 1, warn: 2, skip: 3, pass: 4 };
    const sorted = [...all].sort((a, b) => rank[a.outcome] - rank[b.outcome] || a.object.kind.localeCompare(b.object.kind) || a.object.name.localeCompare(b.object.name) || a.image.localeCompare(b.image));
    const kept = sorted.slice(0, options.maxResultsPerReport);
    if (kept.length < sorted.length) problems.push(`namespace ${namespace}: ${sorted.length - kept.length} results left out of its PolicyReport (audit.maxResultsPerReport ${options.maxResultsPerReport})`);
    const summary = emptySummary();
    for (const r of all) { summary[r.outcome]++; total[r.outcome]++; }
    return {
      apiVersion: API_VERSION, kind: 'PolicyReport',
      metadata: { name: REPORT_NAME, namespace, labels: { ...MANAGED_BY } },
      summary,
      results: kept.map((r) => toResult(r, seconds)),
    };
  });
  const cluster = {
    apiVersion: API_VERSION, kind: 'ClusterPolicyReport',
    metadata: { name: REPORT_NAME, labels: { ...MANAGED_BY } },
    summary: { ...total, error: total.error + problems.length },
    results: problems.map((message) => ({
      source: 'portcullis', policy: POLICY, rule: 'audit-scan', category: 'Image verification', severity: 'medium',
      result: 'error', scored: true, timestamp: { seconds, nanos: 0 }, message: clip(message),
    })),
  };
  return { namespaced, cluster, summary: total };
}
