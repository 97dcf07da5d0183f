import { describe, expect, it } from '@jest/globals';
import { X509Certificate } from 'node:crypto';
import { applyCertStep } from '../../../src/webhook-certs/apply-cert-step.js';
import type { CertState } from '../../../src/webhook-certs/cert-state.js';
import { mergeCaBundle } from '../../../src/webhook-certs/merge-ca-bundle.js';
import { certMinter, type CertMinter } from '../../../src/webhook-certs/mint-certs.js';
import { parseCertSecret } from '../../../src/webhook-certs/parse-cert-secret.js';
import { planCertRotation, type CertStep } from '../../../src/webhook-certs/plan-cert-rotation.js';
import { serializeCertState } from '../../../src/webhook-certs/serialize-cert-state.js';

const S = 1_000;
const settings = { caValidityMs: 100 * S, certValidityMs: 100 * S, names: ['portcullis.portcullis-system.svc', '127.0.0.1'] };
const timing = { renewBeforeMs: 40 * S, overlapMs: 5 * S };
const T0 = new Date('2026-12-03T12:00:00Z');

/** The real minter, counted. */
function countingMinter(): CertMinter & { cas: number; servings: number } {
  const m = { cas: 0, servings: 0,
    ca: (now: Date, ms: number) => { m.cas++; return certMinter.ca(now, ms); },
    serving: (ca: Parameters<CertMinter['serving']>[0], names: readonly string[], now: Date, ms: number) => { m.servings++; return certMinter.serving(ca, names, now, ms); },
  };
  return m;
}

/** Round-trips through the Secret encoding, as every read by the leader does. */
const stored = (s: CertState): CertState => {
  const data = Object.fromEntries(Object.entries(serializeCertState(s)).map(([k, v]) => [k, Buffer.from(v)]));
  return parseCertSecret(data) as CertState;
};

const fingerprintsOf = (s: CertState) => s.bundle.map((c) => c.fingerprint);

/**
 * A cluster simulated step by step on a fake clock: the Secret state, the caBundle the API
 * server trusts, and the serving certificates replicas may be serving (the Secret's, and the
 * one before it while replicas have not caught up).
 */
function simulate(minter: CertMinter, end: Date, tickMs = 1 * S) {
  let state: CertState | undefined;
  let published: string[] = [];
  const steps: Array<{ at: number; kind: CertStep['kind'] }> = [];
  const violations: string[] = [];
  let maxBundle = 0;
  let lastServingIssuer: string | undefined;
  for (let t = T0.getTime(); t <= end.getTime(); t += tickMs) {
    const now = new Date(t);
    for (let i = 0; i < 8; i++) {
      const inSync = state !== undefined && published.join() === fingerprintsOf(state).join();
      const step = planCertRotation({ state, published: { validating: inSync ? 'in-sync' : 'stale', mutating: inSync ? 'in-sync' : 'stale' }, now, ...timing, names: settings.names });
      if (step.kind === 'idle') break;
      steps.push({ at: (t - T0.getTime()) / S, kind: step.kind });
      if (step.kind === 'publish') { published = fingerprintsOf(state as CertState); continue; }
      state = stored(applyCertStep(state, step, now, minter, settings) as CertState);
    }
    if (!state) continue;
    maxBundle = Math.max(maxBundle, published.length);
    // What replicas may serve now: the Secret's pair, and the previous one (a replica that has not seen the write).
    for (const issuer of new Set([state.serving.issuer, lastServingIssuer].filter((x): x is string => !!x))) {
      if (!published.includes(issuer)) violations.push(`t=${(t - T0.getTime()) / S}s: a serving certificate's CA is not in caBundle`);
    }
    lastServingIssuer = state.serving.issuer;
  }
  return { state: state as CertState, published, steps, violations, maxBundle };
}

describe('planCertRotation', () => {
  it('bootstraps, publishes, then records the publication', () => {
    const minter = countingMinter();
    const run = simulate(minter, T0);
    expect(run.steps.map((s) => s.kind)).toEqual(['bootstrap', 'publish', 'mark-published']);
    expect(run.published).toEqual([run.state.ca.fingerprint]);
    expect(run.state.publishedAt).toEqual(T0);
    expect([minter.cas, minter.servings]).toEqual([1, 1]);
  });

  it('rotates the CA with overlap: new CA published, overlap, switch, overlap, old CA dropped — caBundle always holds the serving CA', () => {
    const minter = countingMinter();
    const run = simulate(minter, new Date(T0.getTime() + 90 * S));
    const kinds = run.steps.map((s) => `${s.at}:${s.kind}`);
    // The first CA (valid until 100 s) has less than renewBefore (40 s) left at 61 s.
    expect(kinds).toEqual([
      '0:bootstrap', '0:publish', '0:mark-published',
      '61:new-ca', '61:publish', '61:mark-published',
      '66:switch',
      '71:drop-old', '71:publish', '71:mark-published',
    ]);
    expect(run.violations).toEqual([]);
    expect(run.maxBundle).toBe(2);
    expect(run.published).toEqual([run.state.ca.fingerprint]);
    expect(minter.cas).toBe(2);
  });

  it('does not switch before the bundle with the new CA is confirmed published', () => {
    const minter = countingMinter();
    const boot = stored(applyCertStep(undefined, { kind: 'bootstrap' }, T0, minter, settings) as CertState);
    const t = new Date(T0.getTime() + 70 * S);
    const rotating = stored(applyCertStep({ ...boot, publishedAt: T0 }, { kind: 'new-ca' }, t, minter, settings) as CertState);
    expect(rotating.publishedAt).toBeUndefined();
    // Four overlaps later (the old CA still valid), but the webhook configurations still hold the old bundle.
    const later = new Date(t.getTime() + 20 * S);
    const plan = (published: 'stale' | 'in-sync') => planCertRotation({ state: rotating, published: { validating: published, mutating: 'in-sync' }, now: later, ...timing, names: settings.names });
    expect(plan('stale')).toEqual({ kind: 'publish', configurations: ['validating'] });
    expect(plan('in-sync')).toEqual({ kind: 'mark-published' });
  });

  it('replaces a CA that expired while nobody ran at once, without overlap', () => {
    const minter = countingMinter();
    const boot = stored(applyCertStep(undefined, { kind: 'bootstrap' }, T0, minter, settings) as CertState);
    const late = new Date(T0.getTime() + 500 * S);
    expect(planCertRotation({ state: { ...boot, publishedAt: T0 }, published: {}, now: late, ...timing, names: settings.names })).toEqual({ kind: 'replace-expired-ca' });
    const next = applyCertStep(boot, { kind: 'replace-expired-ca' }, late, minter, settings) as CertState;
    expect(next.bundle.map((c) => c.fingerprint)).toEqual([next.ca.fingerprint]);
    expect(next.serving.issuer).toBe(next.ca.fingerprint);
  });

  it('switches at once to a waiting next CA when the current one expired', () => {
    const minter = countingMinter();
    const boot = stored(applyCertStep(undefined, { kind: 'bootstrap' }, T0, minter, settings) as CertState);
    const rotating = stored(applyCertStep(boot, { kind: 'new-ca' }, new Date(T0.getTime() + 61 * S), minter, settings) as CertState);
    expect(planCertRotation({ state: rotating, published: {}, now: new Date(T0.getTime() + 101 * S), ...timing, names: settings.names })).toEqual({ kind: 'switch' });
  });

  it('re-issues the serving certificate from the same CA when its SANs no longer match, leaving the bundle alone', () => {
    const minter = countingMinter();
    const boot = stored(applyCertStep(undefined, { kind: 'bootstrap' }, T0, minter, { ...settings, caValidityMs: 1000 * S }) as CertState);
    const names = [...settings.names, 'portcullis.other.svc'];
    const step = planCertRotation({ state: { ...boot, publishedAt: T0 }, published: { validating: 'in-sync' }, now: T0, ...timing, names });
    expect(step).toEqual({ kind: 'renew-serving', reason: 'names' });
    const next = stored(applyCertStep({ ...boot, publishedAt: T0 }, step, T0, minter, { ...settings, names }) as CertState);
    expect(next.serving.names).toContain('portcullis.other.svc');
    expect(fingerprintsOf(next)).toEqual(fingerprintsOf(boot));
    expect(next.publishedAt).toEqual(T0);
    expect(planCertRotation({ state: next, published: { validating: 'in-sync' }, now: T0, ...timing, names })).toMatchObject({ kind: 'idle' });
  });

  it('renews a serving certificate that nears expiry, never past its CA', () => {
    const minter = countingMinter();
    const boot = stored(applyCertStep(undefined, { kind: 'bootstrap' }, T0, minter, { ...settings, caValidityMs: 1000 * S }) as CertState);
    const t = new Date(T0.getTime() + 61 * S);
    expect(planCertRotation({ state: { ...boot, publishedAt: T0 }, published: {}, now: t, ...timing, names: settings.names })).toEqual({ kind: 'renew-serving', reason: 'expiring' });
    const capped = certMinter.serving(boot.ca, settings.names, t, 10_000 * S);
    expect(new Date(new X509Certificate(capped.certPem).validTo).getTime()).toBeLessThanOrEqual(boot.ca.notAfter.getTime());
  });

  it('names the webhook kinds whose caBundle is stale, not the absent ones', () => {
    const boot = stored(applyCertStep(undefined, { kind: 'bootstrap' }, T0, certMinter, settings) as CertState);
    expect(planCertRotation({ state: boot, published: { validating: 'absent', mutating: 'stale' }, now: T0, ...timing, names: settings.names })).toEqual({ kind: 'publish', configurations: ['mutating'] });
    expect(planCertRotation({ state: boot, published: { validating: 'absent' }, now: T0, ...timing, names: settings.names })).toEqual({ kind: 'mark-published' });
  });
});

describe('mergeCaBundle', () => {
  const cert = (fingerprint: string, notAfterS: number) => ({ pem: fingerprint, fingerprint, notAfter: new Date(T0.getTime() + notAfterS * S) });

  it('keeps each CA once, in order, and leaves expired ones out', () => {
    expect(mergeCaBundle([cert('a', 10), cert('b', 10), cert('a', 10), cert('old', 0), cert('c', 1)], T0).map((c) => c.fingerprint)).toEqual(['a', 'b', 'c']);
  });
});
