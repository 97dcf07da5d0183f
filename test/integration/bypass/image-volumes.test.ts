/**
 * Bypass class 9 (issue 13) through the real server and registry: an image volume
 * (`spec.volumes[].image.reference`) is pinned to the digest the registry serves, at its own
 * patch path, and validated like a container image — an unsigned one is denied, in a Pod and in
 * a pod template. Before the fix it was neither pinned nor validated (the Pod was allowed).
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { fixture } from '../../helpers/admission-fixtures.js';
import { patchOf, podReview, startBypassSetting, type BypassSetting } from '../../helpers/bypass-portcullis.js';

let s: BypassSetting;
beforeAll(async () => { s = await startBypassSetting(); }, 120_000);
afterAll(async () => { await s?.stop(); });

const spec = (container: string, volume: string) => ({
  containers: [{ name: 'app', image: container, volumeMounts: [{ name: 'data', mountPath: '/data' }] }],
  volumes: [{ name: 'cfg', configMap: { name: 'c' } }, { name: 'data', image: { reference: volume, pullPolicy: 'IfNotPresent' } }],
});
function deployment(podSpec: object): object {
  const review = fixture('deployment-create.json');
  const object = review.request.object as { spec: { template: { spec: unknown } } };
  return { ...review, request: { ...review.request, object: { ...object, spec: { ...object.spec, template: { ...object.spec.template, spec: podSpec } } } } };
}

describe('bypass class 9: image volumes, real registry', () => {
  it('pins the volume image to the digest the registry serves, at /spec/volumes/N/image/reference', async () => {
    const response = await s.answer('/mutate', podReview(spec(s.signed.tag, s.unsigned.tag)));
    expect(patchOf(response)).toEqual([
      { op: 'replace', path: '/spec/containers/0/image', value: s.signed.pinned },
      { op: 'replace', path: '/spec/volumes/1/image/reference', value: s.unsigned.pinned },
    ]);
  }, 30_000);

  it('denies a Pod mounting an unsigned image volume, naming it, and allows one mounting a signed one', async () => {
    const denied = await s.answer('/validate', podReview(spec(s.signed.pinned, s.unsigned.pinned)));
    expect(denied.allowed).toBe(false);
    expect(denied.status?.message).toMatch(new RegExp(`^image "${s.unsigned.pinned.replace(/[.]/g, '\\.')}" denied: `));
    expect(await s.answer('/validate', podReview(spec(s.signed.pinned, s.signed.pinned)))).toMatchObject({ allowed: true });
  }, 30_000);

  it('does the same in a Deployment\'s pod template', async () => {
    const response = await s.answer('/mutate', deployment(spec(s.signed.tag, s.unsigned.tag)));
    expect(patchOf(response)).toContainEqual({ op: 'replace', path: '/spec/template/spec/volumes/1/image/reference', value: s.unsigned.pinned });
    expect(await s.answer('/validate', deployment(spec(s.signed.pinned, s.unsigned.pinned)))).toMatchObject({ allowed: false });
  }, 30_000);
});
