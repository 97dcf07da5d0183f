/**
 * Bypass class 10 (issue 13): on the `pods/ephemeralcontainers` subresource Portcullis patched
 * ephemeral containers that already existed; the API server refuses any change to those, so a
 * second `kubectl debug` failed. Only new ones are pinned (compared with `oldObject`), and the
 * new ones are still validated.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { fixture } from '../../helpers/admission-fixtures.js';
import { startAdmissionApp, type AdmissionApp } from '../../helpers/admission-app.js';
import { FakeImagePinner } from '../../helpers/fake-image-pinner.js';
import { FakeImageValidator } from '../../helpers/fake-image-validator.js';

const DD = `sha256:${'0d'.repeat(32)}`;
const DE = `sha256:${'0e'.repeat(32)}`;
interface ReviewBody { response: { allowed: boolean; status?: { message: string }; patch?: string } }
const patchOf = (b: ReviewBody): unknown => (b.response.patch ? JSON.parse(Buffer.from(b.response.patch, 'base64').toString()) : undefined);

describe('bypass class 10: existing ephemeral containers', () => {
  let app: AdmissionApp;
  const validator = new FakeImageValidator({ deny: { 'alpine:3.20': ['unsigned'] } });
  const pinner = new FakeImagePinner({ pinned: { 'nginx:1.27': `nginx:1.27@${DD}`, 'busybox:1.36': `busybox:1.36@${DD}`, 'alpine:3.20': `alpine:3.20@${DE}` } });

  beforeAll(async () => {
    app = await startAdmissionApp({ ports: { validator, pinner } });
  });
  afterAll(async () => { await app?.close(); });

  it('pins only the new ephemeral container, leaving the existing one as it is', async () => {
    const body = (await app.review('/mutate', fixture('pod-ephemeralcontainers-second.json'))).json<ReviewBody>();
    expect(body.response.allowed).toBe(true);
    expect(pinner.calls.at(-1)?.images).toEqual(['alpine:3.20']);
    expect(patchOf(body)).toEqual([{ op: 'replace', path: '/spec/ephemeralContainers/1/image', value: `alpine:3.20@${DE}` }]);
  });

  it('validates the new ephemeral container and denies it when its image is denied', async () => {
    const body = (await app.review('/validate', fixture('pod-ephemeralcontainers-second.json'))).json<ReviewBody>();
    expect(validator.calls.at(-1)?.images).toEqual(['alpine:3.20']);
    expect(body.response).toMatchObject({ allowed: false, status: { message: 'image "alpine:3.20" denied: unsigned' } });
  });

  it('still pins the first ephemeral container of a Pod', async () => {
    const body = (await app.review('/mutate', fixture('pod-ephemeralcontainers.json'))).json<ReviewBody>();
    expect(patchOf(body)).toEqual([{ op: 'replace', path: '/spec/ephemeralContainers/0/image', value: `busybox:1.36@${DD}` }]);
  });

  it('treats an existing name with a different image as new (the API server will judge the change)', async () => {
    const review = fixture('pod-ephemeralcontainers-second.json') as { request: { object: { spec: { ephemeralContainers: Array<{ image: string }> } } } };
    review.request.object.spec.ephemeralContainers[0]!.image = 'alpine:3.20';
    const body = (await app.review('/validate', review)).json<ReviewBody>();
    expect(body.response).toMatchObject({ allowed: false, status: { message: 'image "alpine:3.20" denied: unsigned' } });
  });

  it('leaves existing ephemeral containers and image volumes alone on an ordinary Pod update', async () => {
    const body = (await app.review('/mutate', fixture('pod-update-immutable-fields.json'))).json<ReviewBody>();
    expect(patchOf(body)).toEqual([{ op: 'replace', path: '/spec/containers/0/image', value: expect.stringMatching(/^nginx:1\.27@/) }]);
  });

  it('compares with oldObject only on UPDATE (a CREATE carrying an oldObject is pinned in full)', async () => {
    const review = fixture('pod-ephemeralcontainers-second.json');
    const body = (await app.review('/mutate', { ...review, request: { ...review.request, operation: 'CREATE' } })).json<ReviewBody>();
    expect(patchOf(body)).toEqual([
      { op: 'replace', path: '/spec/ephemeralContainers/0/image', value: `busybox:1.36@${DD}` },
      { op: 'replace', path: '/spec/ephemeralContainers/1/image', value: `alpine:3.20@${DE}` },
    ]);
  });
});
