import { describe, expect, it } from '@jest/globals';
import { admissionContext } from '../../../src/admission/admission-context.js';
import { decodeAdmissionReview } from '../../../src/admission/decode-admission-review.js';
import { createExclusions } from '../../../src/admission/exclusions.js';
import { findImages } from '../../../src/admission/find-images.js';
import type { NamespaceModeSource, ValidationMode } from '../../../src/admission/ports.js';
import { newProgress } from '../../../src/admission/progress.js';
import { reviewValidation } from '../../../src/admission/review-validation.js';
import { silentLogger } from '../../../src/observability/logger.js';
import { fixtureText } from '../../helpers/admission-fixtures.js';
import { FakeImageValidator, type FakeImageValidatorOptions } from '../../helpers/fake-image-validator.js';

const D1 = `sha256:${'a1'.repeat(32)}`;
const request = decodeAdmissionReview(fixtureText('deployment-create.json'), { maxDepth: 64 });
const DENY: FakeImageValidatorOptions = {
  deny: { 'registry:5000/a/b:tag': ['no valid notation signature', 'sbom: license GPL-3.0 denied'] },
  warnings: { [`ghcr.io/o/r@${D1}`]: ['signature expires in 5 days'] },
};

async function validate(options: FakeImageValidatorOptions, more: { mode?: ValidationMode; namespaces?: Record<string, ValidationMode>; source?: NamespaceModeSource; excludeNamespaces?: string[]; req?: typeof request; maxImages?: number } = {}) {
  const req = more.req ?? request;
  const found = findImages(req);
  const validator = new FakeImageValidator(options);
  const ctx = admissionContext(req, found, new AbortController().signal, Date.now() + 10_000);
  const result = await reviewValidation(req, found, {
    validator, namespaceModes: more.source, modes: { mode: more.mode ?? 'enforce', namespaces: more.namespaces ?? {} },
    exclusions: createExclusions({ excludeNamespaces: more.excludeNamespaces ?? ['kube-system'], excludeImages: [] }),
    ctx, progress: newProgress(), logger: silentLogger(), maxImages: more.maxImages,
  });
  return { ...result, validator };
}

describe('reviewValidation', () => {
  it('denies an object with more distinct images than admission.maxImagesPerObject, in any mode, without validating', async () => {
    for (const mode of ['enforce', 'audit'] as const) {
      const { response, validator } = await validate({}, { mode, maxImages: 2 });
      expect(validator.calls).toHaveLength(0);
      expect(response).toMatchObject({ allowed: false, status: { message: expect.stringContaining('names 3 distinct images, more than the 2') } });
    }
  });

  describe('in enforce mode', () => {
    it('allows when every image is allowed, with a per-image audit summary', async () => {
      const { response, validator } = await validate({});
      expect(validator.calls[0]?.images).toEqual(['library/nginx:1.27', 'registry:5000/a/b:tag', `ghcr.io/o/r@${D1}`]);
      expect(response).toEqual({
        uid: 'deploy-create-1', allowed: true,
        auditAnnotations: {
          mode: 'enforce',
          'image-0': 'library/nginx:1.27 allowed: notation ok',
          'image-1': 'registry:5000/a/b:tag allowed: notation ok',
          'image-2': `ghcr.io/o/r@${D1} allowed: notation ok`,
        },
      });
    });

    it('denies with 403 and one line per denied image naming its reasons; policy warnings become warnings', async () => {
      const { response, denied } = await validate({ ...DENY, deny: { ...DENY.deny, 'library/nginx:1.27': ['unsigned'] } });
      expect(denied).toEqual(['library/nginx:1.27', 'registry:5000/a/b:tag']);
      expect(response.allowed).toBe(false);
      expect(response.status).toEqual({
        code: 403, reason: 'Forbidden',
        message: 'image "library/nginx:1.27" denied: unsigned\nimage "registry:5000/a/b:tag" denied: no valid notation signature; sbom: license GPL-3.0 denied',
      });
      expect(response.warnings).toEqual([`image "ghcr.io/o/r@${D1}": signature expires in 5 days`]);
      expect(response.auditAnnotations?.['image-1']).toBe('registry:5000/a/b:tag denied: 2 reason(s)');
    });

    it('denies an image the validator gave no verdict for', async () => {
      const { response } = await validate({ omit: ['library/nginx:1.27'] });
      expect(response.allowed).toBe(false);
      expect(response.status?.message).toBe('image "library/nginx:1.27" denied: no verdict was produced for this image');
    });
  });

  describe('in warn mode', () => {
    it('allows, with the denial reasons as warnings', async () => {
      const { response } = await validate(DENY, { mode: 'warn' });
      expect(response.allowed).toBe(true);
      expect(response.status).toBeUndefined();
      expect(response.warnings).toEqual([
        'portcullis (warn mode): image "registry:5000/a/b:tag" denied: no valid notation signature; sbom: license GPL-3.0 denied',
        `image "ghcr.io/o/r@${D1}": signature expires in 5 days`,
      ]);
    });
  });

  describe('in audit mode', () => {
    it('allows, with the denial reasons in audit annotations', async () => {
      const { response } = await validate(DENY, { mode: 'audit' });
      expect(response.allowed).toBe(true);
      expect(response.auditAnnotations).toEqual({
        mode: 'audit', decision: 'would-deny',
        'image-0': 'library/nginx:1.27 allowed: notation ok',
        'image-1': 'registry:5000/a/b:tag would be denied: no valid notation signature; sbom: license GPL-3.0 denied',
        'image-2': `ghcr.io/o/r@${D1} allowed: notation ok`,
      });
      expect(response.warnings).toEqual([`image "ghcr.io/o/r@${D1}": signature expires in 5 days`]);
    });
  });

  describe('the mode of a namespace', () => {
    const source = (mode: ValidationMode | undefined): NamespaceModeSource => ({ modeFor: async () => mode });
    it('comes from config for that namespace first', async () => {
      const { mode } = await validate(DENY, { mode: 'enforce', namespaces: { 'team-a': 'audit' }, source: source('warn') });
      expect(mode).toBe('audit');
    });
    it('then from the Namespace label when it tightens the global mode', async () => {
      const { mode, response } = await validate(DENY, { mode: 'audit', namespaces: { other: 'audit' }, source: source('warn') });
      expect(mode).toBe('warn');
      expect(response.allowed).toBe(true);
      expect(response.warnings?.[0]).toMatch(/^portcullis \(warn mode\): /);
    });
    it('but not when the label would relax it (the attempt is noted in the audit annotations)', async () => {
      const { mode, response } = await validate(DENY, { mode: 'enforce', source: source('warn') });
      expect(mode).toBe('enforce');
      expect(response.allowed).toBe(false);
      expect(response.auditAnnotations?.['mode-label-ignored']).toBe('warn: the portcullis.dev/mode label may only tighten the mode here');
    });
    it('then the global mode, also when the label lookup fails', async () => {
      expect((await validate(DENY, { mode: 'enforce', source: source(undefined) })).mode).toBe('enforce');
      const failing: NamespaceModeSource = { modeFor: async () => { throw new Error('forbidden'); } };
      const { mode, response } = await validate(DENY, { mode: 'enforce', source: failing });
      expect(mode).toBe('enforce');
      expect(response.allowed).toBe(false);
    });
  });

  describe('when the namespace is excluded', () => {
    it('allows untouched without asking the validator', async () => {
      const { response, validator } = await validate(DENY, { excludeNamespaces: ['team-a'] });
      expect(response).toEqual({ uid: 'deploy-create-1', allowed: true });
      expect(validator.calls).toHaveLength(0);
    });
  });

  describe('when the request is a dry run', () => {
    it('goes through normally', async () => {
      const req = decodeAdmissionReview(fixtureText('deployment-create-dry-run.json'), { maxDepth: 64 });
      const { response, validator } = await validate(DENY, { req });
      expect(response.allowed).toBe(false);
      expect(validator.calls[0]?.ctx.request.dryRun).toBe(true);
    });
  });
});
