import type { Logger } from 'pino';
import type { Metrics } from '../observability/metrics.js';
import type { AuditScan } from './audit-types.js';
import { buildPolicyReports } from './build-policy-reports.js';
import { runAuditScan, type AuditScanConfig, type AuditScanDeps } from './run-audit-scan.js';

export interface AuditConfig extends AuditScanConfig {
  readonly audit: AuditScanConfig['audit'] & { readonly maxResultsPerReport: number };
}

/** One scan, written as reports (unless `write` is false), counted. Shared by the CLI and the background scan. */
export async function auditAndReport(config: AuditConfig, deps: AuditScanDeps & { metrics?: Metrics | undefined; write?: boolean }): Promise<{ scan: AuditScan; reports: ReturnType<typeof buildPolicyReports> }> {
  try {
    const scan = await runAuditScan(config, deps);
    const reports = buildPolicyReports(scan, { maxResultsPerReport: config.audit.maxResultsPerReport });
    if (deps.write ?? true) await deps.cluster.writeReports(reports.namespaced, reports.cluster, deps.signal);
    deps.metrics?.auditRuns.inc({ result: 'success' });
    deps.metrics?.auditLastRun.set(scan.at.getTime() / 1000);
    for (const [result, n] of Object.entries(reports.summary)) deps.metrics?.auditResults.set({ result }, n);
    deps.logger.info({ ...reports.summary, namespaces: reports.namespaced.length, problems: scan.problems.length }, 'audit scan written');
    return { scan, reports };
  } catch (err) {
    deps.metrics?.auditRuns.inc({ result: 'failure' });
    throw err;
  }
}

export type { Logger };
