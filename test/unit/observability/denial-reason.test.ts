import { describe, expect, it } from '@jest/globals';
import { denialReason } from '../../../src/observability/denial-reason.js';
import type { DetailedVerdict, TargetReport } from '../../../src/validation/create-image-validator.js';
import type { VerifierResult } from '../../../src/verifiers/verifier.js';

const result = (type: VerifierResult['type'], valid: boolean): VerifierResult => ({
  verifier: type, type, artifactType: 'x', referrer: { digest: 'sha256:1', mediaType: 'm', annotations: {} }, valid, message: '', details: {}, nested: [],
});
const target = (over: { results?: VerifierResult[]; errors?: Array<{ stage: string; message: string }>; policyError?: string; allowed?: boolean }): TargetReport => ({
  input: { subject: { reference: 'r', registry: 'h', repository: 'r', digest: 'sha256:0', mediaType: 'm' }, request: {} as never, results: over.results ?? [], errors: over.errors ?? [] },
  decision: { allowed: over.allowed ?? false, reasons: ['x'], warnings: [] },
  ...(over.policyError ? { policyError: over.policyError } : {}),
});
const verdict = (targets: TargetReport[], allowed = false): DetailedVerdict => ({ image: 'i', allowed, reasons: [], warnings: [], summary: '', excluded: false, targets });

describe('denialReason', () => {
  it('gives no code for an allowed image', () => {
    expect(denialReason(verdict([target({ allowed: true })], true))).toBeUndefined();
  });

  it.each([
    ['invalid-reference', verdict([])],
    ['policy-error', verdict([target({ policyError: 'policy error: boom' })])],
    ['stage-resolve', verdict([target({ errors: [{ stage: 'resolve', message: 'not found' }] })])],
    ['stage-other', verdict([target({ errors: [{ stage: 'something new', message: '' }] })])],
    ['no-signature', verdict([target({})])],
    ['invalid-signature', verdict([target({ results: [result('notation', false), result('cosign', false)] })])],
    ['sbom', verdict([target({ results: [result('cosign', true), result('sbom', false)] })])],
    ['vulnerabilityreport', verdict([target({ results: [result('notation', true), result('vulnerabilityreport', false)] })])],
    ['policy', verdict([target({ results: [result('notation', true)] })])],
  ])('codes %s', (code, v) => {
    expect(denialReason(v)).toBe(code);
  });

  it('takes the first denied platform of an index', () => {
    expect(denialReason(verdict([target({ allowed: true, results: [result('notation', true)] }), target({})]))).toBe('no-signature');
  });
});
