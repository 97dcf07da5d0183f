/**
 * The in-server audit (config `audit.enabled`): scans at start, every
 * `audit.intervalSeconds` (so results never outlive their freshness), and whenever the
 * policy generation or any verifier's trust material changes (checked every
 * `audit.checkSeconds`) — a revoked key or a new policy shows in the reports without any new
 * admission. A config change builds new ports and so a new scan. One scan at a time.
 */
import type { Logger } from 'pino';
import type { ImageValidator, NamespaceModeSource } from '../admission/ports.js';
import type { Metrics } from '../observability/metrics.js';
import { errorMessage } from '../shared/error-message.js';
import { auditAndReport, type AuditConfig } from './audit-and-report.js';
import type { AuditCluster, AuditScan } from './audit-types.js';

export interface BackgroundAuditDeps {
  readonly cluster: AuditCluster;
  readonly validator: ImageValidator;
  readonly namespaceModes?: NamespaceModeSource | undefined;
  /** Changes when the policy or trust material does (policy generation + verifier config hashes). */
  readonly fingerprint: () => string;
  readonly metrics?: Metrics | undefined;
  readonly logger: Logger;
  /** Wait before the first scan, so ports built for a config that is then refused never write. */
  readonly startDelayMs?: number;
}

export interface BackgroundAudit {
  /** The last written scan. */
  last(): AuditScan | undefined;
  close(): Promise<void>;
}

export function startBackgroundAudit(config: AuditConfig & { readonly audit: { readonly intervalSeconds: number; readonly checkSeconds: number } }, deps: BackgroundAuditDeps): BackgroundAudit {
  const controller = new AbortController();
  let last: AuditScan | undefined;
  let lastPrint: string | undefined;
  let lastAt = 0;
  let running: Promise<void> | undefined;
  let timer: NodeJS.Timeout | undefined;

  const due = (): string | undefined => {
    const print = deps.fingerprint();
    if (lastPrint === undefined) return 'start';
    if (print !== lastPrint) return 'policy or trust material changed';
    if (Date.now() - lastAt >= config.audit.intervalSeconds * 1000) return 'results expired';
    return undefined;
  };
  const tick = () => {
    if (controller.signal.aborted || running) return;
    const why = due();
    if (!why) return;
    const print = deps.fingerprint();
    running = (async () => {
      try {
        deps.logger.info({ why }, 'audit scan starting');
        const { scan } = await auditAndReport(config, { ...deps, signal: controller.signal });
        last = scan;
      } catch (err) {
        if (!controller.signal.aborted) deps.logger.error({ err: { message: errorMessage(err) } }, 'audit scan failed; retrying at the next interval');
      } finally {
        // A failed scan is retried after the interval, not at every check.
        lastPrint = print;
        lastAt = Date.now();
        running = undefined;
      }
    })();
  };
  const start = setTimeout(() => {
    tick();
    timer = setInterval(tick, config.audit.checkSeconds * 1000);
    timer.unref();
  }, deps.startDelayMs ?? 2000);
  start.unref();

  return {
    last: () => last,
    async close() {
      clearTimeout(start);
      clearInterval(timer);
      controller.abort(new Error('audit stopped'));
      await running;
    },
  };
}
