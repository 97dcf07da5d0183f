import { describe, expect, it } from '@jest/globals';
import { checkJsonDepth } from '../../../src/admission/check-json-depth.js';
import { decodeAdmissionReview } from '../../../src/admission/decode-admission-review.js';
import { findImages } from '../../../src/admission/find-images.js';
import { fixture, fixtureText } from '../../helpers/admission-fixtures.js';

const decode = (body: string) => () => decodeAdmissionReview(body, { maxDepth: 64 });

describe('decodeAdmissionReview', () => {
  it('decodes a Pod CREATE review', () => {
    const r = decodeAdmissionReview(fixtureText('pod-create.json'), { maxDepth: 64 });
    expect(r).toMatchObject({
      uid: 'pod-create-1', operation: 'CREATE', namespace: 'default', name: 'web', dryRun: false,
      kind: { group: '', version: 'v1', kind: 'Pod' }, subResource: undefined,
      userInfo: { username: 'alice@example.com', groups: ['system:authenticated', 'devs'] },
    });
  });

  it('reads the dry-run flag and the subresource', () => {
    expect(decodeAdmissionReview(fixtureText('deployment-create-dry-run.json'), { maxDepth: 64 }).dryRun).toBe(true);
    expect(decodeAdmissionReview(fixtureText('pod-ephemeralcontainers.json'), { maxDepth: 64 }).subResource).toBe('ephemeralcontainers');
  });

  describe('when the body is bad', () => {
    const review = fixture('pod-update.json');
    const cases: Array<[string, string, string]> = [
      ['is not JSON', '{"apiVersion": ', 'NOT_JSON'],
      ['is JSON but not an object', '[1,2]', 'NOT_AN_OBJECT'],
      ['has the wrong apiVersion', JSON.stringify({ ...review, apiVersion: 'admission.k8s.io/v1beta1' }), 'BAD_API_VERSION'],
      ['has no apiVersion', JSON.stringify({ ...review, apiVersion: undefined }), 'BAD_API_VERSION'],
      ['has the wrong kind', JSON.stringify({ ...review, kind: 'TokenReview' }), 'BAD_KIND'],
      ['has no request', JSON.stringify({ ...review, request: undefined }), 'NO_REQUEST'],
      ['has a request that is not an object', JSON.stringify({ ...review, request: 'x' }), 'NO_REQUEST'],
      ['has no uid', JSON.stringify({ ...review, request: { ...review.request, uid: undefined } }), 'NO_UID'],
      ['has a numeric uid', JSON.stringify({ ...review, request: { ...review.request, uid: 7 } }), 'NO_UID'],
      ['has no request.kind', JSON.stringify({ ...review, request: { ...review.request, kind: undefined } }), 'BAD_REQUEST_FIELD'],
      ['has a namespace that is not a string', JSON.stringify({ ...review, request: { ...review.request, namespace: ['a'] } }), 'BAD_REQUEST_FIELD'],
      ['is nested too deeply', `{"a":${'['.repeat(100)}${']'.repeat(100)}}`, 'TOO_DEEP'],
    ];
    it.each(cases)('refuses a body that %s (%s)', (_what, body, code) => {
      expect(decode(body)).toThrow(expect.objectContaining({ code }));
    });

    it('refuses 100k levels of nesting without exhausting the stack', () => {
      const body = `${'['.repeat(100_000)}${']'.repeat(100_000)}`;
      expect(decode(body)).toThrow(expect.objectContaining({ code: 'TOO_DEEP' }));
      expect(decode(`{"x":"${'['.repeat(1000)}"}`)).toThrow(expect.objectContaining({ code: 'BAD_API_VERSION' }));
    });
  });
});

describe('checkJsonDepth', () => {
  it('ignores brackets inside strings, escaped quotes included', () => {
    expect(() => checkJsonDepth(`["\\"${'['.repeat(10)}"]`, 2)).not.toThrow();
  });
  it('counts objects and arrays alike', () => {
    expect(() => checkJsonDepth('{"a":[{"b":[1]}]}', 4)).not.toThrow();
    expect(() => checkJsonDepth('{"a":[{"b":[1]}]}', 3)).toThrow(expect.objectContaining({ code: 'TOO_DEEP' }));
  });
});

describe('findImages', () => {
  const pod = (spec: unknown) => ({ kind: { group: '', version: 'v1', kind: 'Pod' }, subResource: undefined, object: { spec } });

  it('refuses an image that is not a string, naming its path', () => {
    expect(() => findImages(pod({ containers: [{ name: 'a', image: 42 }] }))).toThrow(expect.objectContaining({ code: 'BAD_IMAGE', message: '/spec/containers/0/image is not a string' }));
    expect(() => findImages(pod({ initContainers: [{ name: 'a', image: { repo: 'x' } }] }))).toThrow(expect.objectContaining({ code: 'BAD_IMAGE' }));
  });

  it('refuses containers that are not an array of objects', () => {
    expect(() => findImages(pod({ containers: { a: 1 } }))).toThrow(expect.objectContaining({ code: 'BAD_OBJECT' }));
    expect(() => findImages(pod({ containers: ['nginx'] }))).toThrow(expect.objectContaining({ code: 'BAD_OBJECT' }));
    expect(() => findImages(pod('spec'))).toThrow(expect.objectContaining({ code: 'BAD_OBJECT' }));
  });

  it('skips containers without an image', () => {
    expect(findImages(pod({ containers: [{ name: 'a' }, { name: 'b', image: 'x:1' }] }))?.locations).toEqual([
      { path: '/spec/containers/1/image', image: 'x:1', field: 'containers', container: 'b' },
    ]);
  });

  it('returns nothing for kinds it does not cover and for other subresources', () => {
    expect(findImages({ kind: { group: '', version: 'v1', kind: 'Service' }, subResource: undefined, object: { spec: { containers: [{ image: 'x' }] } } })).toBeUndefined();
    expect(findImages({ kind: { group: 'example.com', version: 'v1', kind: 'Deployment' }, subResource: undefined, object: {} })).toBeUndefined();
    expect(findImages({ kind: { group: '', version: 'v1', kind: 'Pod' }, subResource: 'status', object: { spec: { containers: [{ image: 'x' }] } } })).toBeUndefined();
  });

  it('looks only at ephemeral containers on the pods/ephemeralcontainers subresource', () => {
    const r = findImages({ kind: { group: '', version: 'v1', kind: 'Pod' }, subResource: 'ephemeralcontainers', object: { spec: { containers: [{ image: 'app:1' }], ephemeralContainers: [{ name: 'dbg', image: 'busybox' }] } } });
    expect(r?.images).toEqual(['busybox']);
  });
});
