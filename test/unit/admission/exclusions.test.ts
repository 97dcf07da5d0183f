import { describe, expect, it } from '@jest/globals';
import { createExclusions, createImageMatcher } from '../../../src/admission/exclusions.js';

describe('createImageMatcher', () => {
  it('matches the image as written', () => {
    expect(createImageMatcher(['registry:5000/**'])('registry:5000/a/b:tag')).toBe(true);
  });

  it('matches the normalised name, so Docker Hub short names are covered', () => {
    const m = createImageMatcher(['docker.io/library/nginx']);
    expect(m('nginx:1.27')).toBe(true);
    expect(m('library/nginx@sha256:' + 'a'.repeat(64))).toBe(true);
    expect(m('nginxinc/nginx:1')).toBe(false);
  });

  it('keeps `*` within one path segment', () => {
    const m = createImageMatcher(['ghcr.io/org/*']);
    expect(m('ghcr.io/org/app:1')).toBe(true);
    expect(m('ghcr.io/org/team/app:1')).toBe(false);
  });

  it('never matches with no globs, nor an unparseable image by its normalised form', () => {
    expect(createImageMatcher([])('nginx')).toBe(false);
    expect(createImageMatcher(['docker.io/**'])('NOT A REF')).toBe(false);
  });
});

describe('createExclusions', () => {
  it('applies the same image rules as the validator (one matcher for both webhooks)', () => {
    const ex = createExclusions({ excludeNamespaces: ['kube-system'], excludeImages: ['docker.io/library/busybox'] });
    expect(ex.image('busybox:1.36')).toBe(true);
    expect(ex.namespace('kube-system')).toBe(true);
    expect(ex.namespace('default')).toBe(false);
  });

  it('compiles once per config object', () => {
    const config = { excludeNamespaces: [], excludeImages: ['ghcr.io/**'] };
    expect(createExclusions(config)).toBe(createExclusions(config));
    expect(createExclusions({ ...config })).not.toBe(createExclusions(config));
  });
});
