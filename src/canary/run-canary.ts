/**
 * Runs the canary cases through one policy and says whether it still denies what it must
 * (docs/operations.md "Enforcement canary"). Pure: the caller passes the policy's evaluate
 * and the config; nothing here does I/O.
 */
import { createImageMatcher } from '../admission/exclusions.js';
import type { PolicyDecision, PolicyInput } from '../policy/types.js';
import { errorMessage } from '../shared/error-message.js';
import { CANARY_CHECKS, CANARY_REFERENCE, canaryCases, type CanaryCheck } from './canary-inputs.js';

export interface CanaryOutcome {
  readonly check: CanaryCheck;
  readonly namespace: string;
  readonly expect: 'deny' | 'allow';
  /** What admission would do with this input in an enforce-mode namespace. */
  readonly allowed: boolean;
  readonly passed: boolean;
  /** The policy's reasons, or why it could not decide. */
  readonly reasons: readonly string[];
}

export interface CanaryReport {
  readonly at: Date;
  readonly outcomes: readonly CanaryOutcome[];
  /** Per check: true when it passed in every namespace. */
  readonly checks: Readonly<Record<CanaryCheck, boolean>>;
  /** Why the policy or config is unsafe (a known-bad input admitted); empty when safe. */
  readonly unsafe: readonly string[];
}

export interface CanaryConfig {
  readonly validation: {
    readonly mode: string;
    readonly namespaces: Readonly<Record<string, string>>;
    readonly excludeImages: readonly string[];
  };
  readonly admission: { readonly failurePolicy: 'deny' | 'allow' };
  readonly canary: { readonly namespace: string };
}

/** Enforce-mode namespaces from config are checked too, each one (bounded: config size). */
const MAX_NAMESPACES = 256;

const DESCRIBE: Record<CanaryCheck, string> = {
  'unsigned': 'an unsigned image (no signature at all)',
  'invalid-signature': 'an image whose only signature does not verify',
  'signed': 'an image with one valid Notation signature',
};

/** The namespaces whose mode is enforce as far as config tells: the canary's own plus listed ones. */
export function canaryNamespaces(config: CanaryConfig): string[] {
  const listed = Object.entries(config.validation.namespaces).filter(([, m]) => m === 'enforce').map(([ns]) => ns);
  return [...new Set([config.canary.namespace, ...listed])].slice(0, MAX_NAMESPACES);
}

export function runCanary(evaluate: (input: PolicyInput) => PolicyDecision, config: CanaryConfig, now: Date = new Date()): CanaryReport {
  const outcomes: CanaryOutcome[] = [];
  const unsafe: string[] = [];
  // A catch-all image exclusion admits the known-bad image before any policy runs.
  const excluded = createImageMatcher(config.validation.excludeImages)(CANARY_REFERENCE);
  if (excluded) unsafe.push('validation.excludeImages matches every image (it excludes the canary image), so unsigned images are admitted without a policy decision');
  for (const namespace of canaryNamespaces(config)) {
    for (const c of canaryCases(namespace)) {
      let allowed: boolean;
      let reasons: readonly string[];
      try {
        const d = evaluate(c.input);
        allowed = excluded || d.allowed;
        reasons = d.reasons;
      } catch (e) {
        // What admission does with a policy error: admission.failurePolicy decides.
        allowed = excluded || config.admission.failurePolicy === 'allow';
        reasons = [`policy error: ${errorMessage(e)}`];
      }
      const passed = (c.expect === 'allow') === allowed;
      outcomes.push({ check: c.check, namespace, expect: c.expect, allowed, passed, reasons });
      if (!passed && c.expect === 'deny' && !excluded) {
        const how = reasons.length > 0 && reasons[0]!.startsWith('policy error') ? ` (${reasons[0]}, and admission.failurePolicy is allow)` : '';
        unsafe.push(`it admits ${DESCRIBE[c.check]} in enforce-mode namespace "${namespace}"${how}`);
      }
    }
  }
  const checks = Object.fromEntries(CANARY_CHECKS.map((k) => [k, outcomes.every((o) => o.check !== k || o.passed)])) as Record<CanaryCheck, boolean>;
  return { at: now, outcomes, checks, unsafe };
}
