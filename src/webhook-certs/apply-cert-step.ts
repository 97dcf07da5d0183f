/**
 * The Secret state after a step of planCertRotation (docs/self-managed-certs.md "Rotation").
 * Pure but for the injected minter (fresh keys). `publish` and `idle` change nothing here: a
 * publication is a write to the webhook configurations, recorded by the next `mark-published`.
 * Any change of the bundle clears `publishedAt`, so every wait counts from a confirmed
 * publication of the bundle that holds the CA it protects.
 */
import type { CertState } from './cert-state.js';
import { mergeCaBundle } from './merge-ca-bundle.js';
import type { CertMinter } from './mint-certs.js';
import type { CertStep } from './plan-cert-rotation.js';

export interface StepSettings {
  readonly caValidityMs: number;
  readonly certValidityMs: number;
  readonly names: readonly string[];
}

export function applyCertStep(state: CertState | undefined, step: CertStep, now: Date, minter: CertMinter, settings: StepSettings): CertState | undefined {
  const { caValidityMs, certValidityMs, names } = settings;
  if (step.kind === 'bootstrap' || (!state && step.kind === 'replace-expired-ca')) {
    const ca = minter.ca(now, caValidityMs);
    return { ca, serving: minter.serving(ca, names, now, certValidityMs), bundle: [ca], next: undefined, publishedAt: undefined, switchedAt: undefined };
  }
  if (!state) return undefined;
  switch (step.kind) {
    case 'replace-expired-ca': {
      const ca = minter.ca(now, caValidityMs);
      return { ca, serving: minter.serving(ca, names, now, certValidityMs), bundle: mergeCaBundle([ca, ...state.bundle], now), next: undefined, publishedAt: undefined, switchedAt: now };
    }
    case 'prune-expired':
      return { ...state, bundle: mergeCaBundle(state.bundle, now), publishedAt: undefined };
    case 'mark-published':
      return { ...state, publishedAt: now };
    case 'new-ca': {
      const next = minter.ca(now, caValidityMs);
      return { ...state, next, bundle: mergeCaBundle([...state.bundle, next], now), publishedAt: undefined };
    }
    case 'switch': {
      if (!state.next) return state;
      const ca = state.next;
      // The bundle keeps the old CA (drop-old removes it `overlap` later); it already holds the new one.
      const bundle = mergeCaBundle([...state.bundle, ca], now);
      const changed = bundle.length !== state.bundle.length || bundle.some((c, i) => c.fingerprint !== state.bundle[i]?.fingerprint);
      return { ca, serving: minter.serving(ca, names, now, certValidityMs), bundle, next: undefined, publishedAt: changed ? undefined : state.publishedAt, switchedAt: now };
    }
    case 'drop-old':
      return { ...state, bundle: [state.ca], publishedAt: undefined, switchedAt: undefined };
    case 'renew-serving':
      return { ...state, serving: minter.serving(state.ca, names, now, certValidityMs) };
    case 'publish':
    case 'idle':
      return state;
  }
}
