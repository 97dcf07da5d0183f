/**
 * `portcullis audit [--config FILE] [--output text|json] [--dry-run]`: one audit of the running
 * workloads (docs/operations.md "Audit"). The same ports as `portcullis serve` (buildPorts:
 * registry access and cache, verifiers, policy behind the enforcement canary, namespace modes,
 * pull secrets) validate every image of every Pod and pod-template owner the kubeconfig's user
 * can list; the results are written as PolicyReports unless `--dry-run`.
 * Exit 0 nothing fails, 1 some image fails, 2 error.
 */
import { Command, Option } from 'commander';
import { pino } from 'pino';
import { Registry } from 'prom-client';
import { auditAndReport } from '../audit/audit-and-report.js';
import { buildPorts } from '../compose-ports.js';
import { defaultConfig, loadConfigFile } from '../config/index.js';
import { loadKubeConfig } from '../kubernetes/load-kube-config.js';
import { createLogger } from '../observability/logger.js';
import { createMetrics } from '../observability/metrics.js';
import { defaultIo, type VerifyIo } from './verify.js';

interface AuditOptions { config?: string; output: 'text' | 'json'; dryRun?: boolean; timeout: string }

export function auditCommand(io: VerifyIo = defaultIo): Command {
  return new Command('audit')
    .description('validate the images of running workloads and write PolicyReports')
    .option('--config <file>', 'Portcullis config file (the one the webhook runs with)')
    .addOption(new Option('--output <format>', 'output format').choices(['text', 'json']).default('text'))
    .option('--dry-run', 'print the results, write no PolicyReports')
    .option('--timeout <ms>', 'deadline for the whole audit, in milliseconds', '600000')
    .action(async (opts: AuditOptions) => {
      let code: number;
      try {
        const config = opts.config ? await loadConfigFile(opts.config) : defaultConfig();
        const logger = createLogger({ level: process.env.PORTCULLIS_LOG_LEVEL ?? 'warn', destination: pino.destination(2) });
        const kubeConfig = await loadKubeConfig();
        if (!kubeConfig) throw new Error('no kubeconfig found (KUBECONFIG, ~/.kube/config or in-cluster): the audit reads workloads through the API server');
        // The server's own background audit stays off here: this is the one scan.
        const ports = await buildPorts({ ...config, audit: { ...config.audit, enabled: false } }, { logger, metrics: createMetrics(new Registry(), { defaults: false }), kubeConfig });
        try {
          const timeout = Number(opts.timeout) > 0 ? Number(opts.timeout) : 600_000;
          const { createKubeAuditCluster } = await import('../audit/create-kube-audit-cluster.js');
          const { scan, reports } = await auditAndReport(config, {
            cluster: createKubeAuditCluster(kubeConfig), validator: ports.validator, namespaceModes: ports.namespaceModes,
            logger, signal: AbortSignal.timeout(timeout), write: !opts.dryRun,
          });
          if (opts.output === 'json') {
            io.stdout(JSON.stringify({ summary: reports.summary, reports: reports.namespaced, cluster: reports.cluster }, null, 2));
          } else {
            for (const r of scan.results) io.stdout(`${r.outcome.toUpperCase().padEnd(5)} ${r.object.namespace}/${r.object.kind}/${r.object.name} (${r.mode}): ${r.message}`);
            for (const p of scan.problems) io.stdout(`ERROR ${p.message}`);
            const s = reports.summary;
            io.stdout(`${s.pass} pass, ${s.fail} fail, ${s.warn} warn, ${s.error} error, ${s.skip} skip${opts.dryRun ? ' (dry run: no PolicyReports written)' : `; PolicyReports written in ${reports.namespaced.length} namespaces`}`);
          }
          code = reports.summary.fail > 0 ? 1 : scan.problems.length > 0 || reports.summary.error > 0 ? 2 : 0;
        } finally {
          await ports.close?.();
        }
      } catch (err) {
        const c = (err as { code?: string }).code;
        io.stderr(`error: ${c ? `${c}: ` : ''}${(err as Error).message}`);
        code = 2;
      }
      io.exit(code);
    });
}
