import { describe, expect, it } from '@jest/globals';
import { canaryCases } from '../../../src/canary/canary-inputs.js';
import { createCanary } from '../../../src/canary/create-canary.js';
import { describeCanary } from '../../../src/canary/describe-canary.js';
import { runCanary, type CanaryConfig } from '../../../src/canary/run-canary.js';
import { createMetrics } from '../../../src/observability/metrics.js';
import type { PolicyDecision, PolicyInput } from '../../../src/policy/types.js';

const config = (over: { namespaces?: Record<string, string>; excludeImages?: string[]; failurePolicy?: 'deny' | 'allow' } = {}): CanaryConfig & { canary: { namespace: string; onUnsafe: 'refuse' | 'flag'; intervalSeconds: number } } => ({
  validation: { mode: 'enforce', namespaces: over.namespaces ?? {}, excludeImages: over.excludeImages ?? [] },
  admission: { failurePolicy: over.failurePolicy ?? 'deny' },
  canary: { namespace: 'portcullis-canary', onUnsafe: 'refuse', intervalSeconds: 60 },
});

/** Like the default policy: at least one valid signature. */
const needsSignature = (i: PolicyInput): PolicyDecision => {
  const ok = i.results.some((r) => r.valid && !r.error);
  return { allowed: ok, reasons: ok ? [] : ['no valid signature'], warnings: [] };
};
const allowAll = (): PolicyDecision => ({ allowed: true, reasons: [], warnings: [] });

describe('canaryCases', () => {
  it('holds an unsigned input with no results and no errors, and one with a failed signature', () => {
    const [unsigned, invalid, signed] = canaryCases('ns');
    expect(unsigned!.input.results).toEqual([]);
    expect(unsigned!.input.errors).toEqual([]);
    expect(invalid!.input.results[0]).toMatchObject({ type: 'notation', valid: false });
    expect(signed!.input.results[0]).toMatchObject({ type: 'notation', valid: true });
    expect(unsigned!.input.request.namespace).toBe('ns');
  });
});

describe('runCanary', () => {
  it('passes a policy that requires a valid signature', () => {
    const report = runCanary(needsSignature, config());
    expect(report.unsafe).toEqual([]);
    expect(report.checks).toEqual({ 'unsigned': true, 'invalid-signature': true, 'signed': true });
  });

  it('names what a policy that admits everything lets in', () => {
    const report = runCanary(allowAll, config());
    expect(report.checks).toEqual({ 'unsigned': false, 'invalid-signature': false, 'signed': true });
    expect(report.unsafe).toEqual([
      'it admits an unsigned image (no signature at all) in enforce-mode namespace "portcullis-canary"',
      'it admits an image whose only signature does not verify in enforce-mode namespace "portcullis-canary"',
    ]);
  });

  it('checks every enforce-mode namespace of the config, so a policy exempting one is caught', () => {
    const exemptsProd = (i: PolicyInput) => (i.request.namespace === 'prod' ? allowAll() : needsSignature(i));
    const report = runCanary(exemptsProd, config({ namespaces: { prod: 'enforce', dev: 'audit' } }));
    expect(report.unsafe).toHaveLength(2);
    expect(report.unsafe[0]).toContain('"prod"');
    expect(report.outcomes.map((o) => o.namespace)).not.toContain('dev');
  });

  it('treats a policy error as admission does: unsafe only with failurePolicy allow', () => {
    const throws = () => { throw new Error('boom'); };
    expect(runCanary(throws, config()).unsafe).toEqual([]);
    expect(runCanary(throws, config()).checks.signed).toBe(false);
    const unsafe = runCanary(throws, config({ failurePolicy: 'allow' })).unsafe;
    expect(unsafe[0]).toContain('policy error: boom');
    expect(unsafe[0]).toContain('admission.failurePolicy is allow');
  });

  it('refuses a config whose image exclusions match every image, whatever the policy', () => {
    const report = runCanary(needsSignature, config({ excludeImages: ['**'] }));
    expect(report.checks.unsigned).toBe(false);
    expect(report.unsafe).toEqual([expect.stringContaining('validation.excludeImages matches every image')]);
    expect(runCanary(needsSignature, config({ excludeImages: ['ghcr.io/org/**'] })).unsafe).toEqual([]);
  });
});

describe('createCanary', () => {
  const gauge = async (metrics: ReturnType<typeof createMetrics>, check: string) =>
    (await metrics.canaryStatus.get()).values.find((v) => v.labels.check === check)?.value;

  it('refuses an unsafe candidate with UNSAFE_POLICY and a message that says why, counting it', async () => {
    const metrics = createMetrics(undefined, { defaults: false });
    const canary = createCanary(config(), { metrics });
    expect(() => canary.accept({ evaluate: allowAll }, '/p/bundle.tar.gz')).toThrow(expect.objectContaining({
      code: 'UNSAFE_POLICY',
      message: expect.stringMatching(/^enforcement canary: policy \/p\/bundle.tar.gz is refused because it admits an unsigned image .*; the running policy is kept/),
    }));
    expect((await metrics.canaryRefusals.get()).values[0]?.value).toBe(1);
    expect(canary.last()).toBeUndefined();
  });

  it('in flag mode loads an unsafe candidate and turns the status metric bad', async () => {
    const metrics = createMetrics(undefined, { defaults: false });
    const c = config();
    const canary = createCanary({ ...c, canary: { ...c.canary, onUnsafe: 'flag' } }, { metrics });
    canary.accept({ evaluate: needsSignature }, 'good');
    expect(await gauge(metrics, 'unsigned')).toBe(1);
    canary.accept({ evaluate: allowAll }, 'permissive');
    expect(await gauge(metrics, 'unsigned')).toBe(0);
    expect(await gauge(metrics, 'invalid-signature')).toBe(0);
    expect(await gauge(metrics, 'signed')).toBe(1);
    expect(describeCanary(canary.last())).toEqual([
      '[-]canary unsigned failed: expected deny, allowed in namespace "portcullis-canary"',
      '[-]canary invalid-signature failed: expected deny, allowed in namespace "portcullis-canary"',
      '[+]canary signed ok',
    ]);
  });
});
