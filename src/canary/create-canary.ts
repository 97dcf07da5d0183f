/**
 * The enforcement canary (issue: "prove that enforcement is still live"): before any policy
 * goes live — at start, on a bundle hot swap, on a config change — and every
 * `canary.intervalSeconds` after, the built-in known-bad and known-good inputs run through it.
 * A policy or config that admits a known-bad input in an enforce-mode namespace is refused
 * (`canary.onUnsafe: refuse`, the default: the running one is kept, the refusal logged and
 * counted) or loaded and flagged (`flag`). `portcullis_canary_status{check}` and `/readyz?verbose`
 * show the outcome for the live policy.
 */
import type { Logger } from 'pino';
import type { Metrics } from '../observability/metrics.js';
import type { LoadedWasmPolicy } from '../policy/load-wasm-policy.js';
import { PolicyError } from '../policy/policy-error.js';
import { CANARY_CHECKS } from './canary-inputs.js';
import { runCanary, type CanaryConfig, type CanaryReport } from './run-canary.js';

export interface CanarySettings extends CanaryConfig {
  readonly canary: CanaryConfig['canary'] & { readonly onUnsafe: 'refuse' | 'flag'; readonly intervalSeconds: number };
}

export interface Canary {
  /**
   * The policy engine's accept hook: runs the canary on a candidate policy. Throws PolicyError
   * `UNSAFE_POLICY` (refuse mode) so the engine keeps the running policy.
   */
  accept(candidate: Pick<LoadedWasmPolicy, 'evaluate'>, source: string): void;
  /** Re-checks `current()` every interval until closed. */
  watch(current: () => Pick<LoadedWasmPolicy, 'evaluate'> | undefined): void;
  /** The report on the live policy (the last accepted or periodic run). */
  last(): CanaryReport | undefined;
  close(): void;
}

export function createCanary(config: CanarySettings, deps: { metrics?: Metrics | undefined; logger?: Logger | undefined; now?: () => Date }): Canary {
  const { metrics, logger } = deps;
  const now = deps.now ?? (() => new Date());
  let last: CanaryReport | undefined;
  let timer: NodeJS.Timeout | undefined;

  const record = (report: CanaryReport) => {
    last = report;
    for (const check of CANARY_CHECKS) metrics?.canaryStatus.set({ check }, report.checks[check] ? 1 : 0);
    metrics?.canaryLastRun.set(report.at.getTime() / 1000);
  };
  const run = (policy: Pick<LoadedWasmPolicy, 'evaluate'>) => runCanary((i) => policy.evaluate(i), config, now());

  return {
    accept(candidate, source) {
      const report = run(candidate);
      if (report.unsafe.length > 0) {
        const why = report.unsafe.join('; ');
        if (config.canary.onUnsafe === 'refuse') {
          metrics?.canaryRefusals.inc();
          throw new PolicyError('UNSAFE_POLICY', `enforcement canary: policy ${source} is refused because ${why}; the running policy is kept (set canary.onUnsafe: flag to load such a policy anyway)`);
        }
        logger?.error({ source, unsafe: report.unsafe }, 'enforcement canary: this policy admits known-bad images in enforce mode; loaded anyway because canary.onUnsafe is flag');
      }
      const good = report.outcomes.filter((o) => o.expect === 'allow' && !o.passed);
      if (good.length > 0) logger?.warn({ source, reasons: good[0]!.reasons }, 'enforcement canary: the policy denies the built-in known-good image (one valid signature); expected for policies that require specific signers');
      record(report);
    },
    watch(current) {
      clearInterval(timer);
      timer = setInterval(() => {
        const policy = current();
        if (!policy) return;
        const report = run(policy);
        if (report.unsafe.length > 0 && !(last && last.unsafe.length > 0)) logger?.error({ unsafe: report.unsafe }, 'enforcement canary: the live policy now admits known-bad images');
        record(report);
      }, config.canary.intervalSeconds * 1000);
      timer.unref();
    },
    last: () => last,
    close() { clearInterval(timer); },
  };
}
