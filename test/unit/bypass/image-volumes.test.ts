/**
 * Bypass class 9 (issue 13): Kubernetes image volumes (`spec.volumes[].image.reference`) were
 * neither pinned nor validated, so any image could be mounted unverified. They are now pinned
 * at their own patch path and validated, in the Pod and in every kind with a pod template.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { fixture } from '../../helpers/admission-fixtures.js';
import { startAdmissionApp, type AdmissionApp } from '../../helpers/admission-app.js';
import { FakeImagePinner } from '../../helpers/fake-image-pinner.js';
import { FakeImageValidator } from '../../helpers/fake-image-validator.js';

const DE = `sha256:${'0e'.repeat(32)}`;
const VOLUME_IMAGE = 'registry:5000/evil/payload:latest';
const REASON = 'no valid notation signature';

interface ReviewBody { response: { allowed: boolean; status?: { message: string }; patch?: string } }

/** Each covered kind's fixture and the JSON Pointer of its pod spec. */
const KINDS: Array<[string, string]> = [
  ['pod-update.json', '/spec'],
  ['deployment-create.json', '/spec/template/spec'],
  ['replicaset-create.json', '/spec/template/spec'],
  ['statefulset-update.json', '/spec/template/spec'],
  ['daemonset-create.json', '/spec/template/spec'],
  ['job-create.json', '/spec/template/spec'],
  ['replicationcontroller-create.json', '/spec/template/spec'],
  ['cronjob-create.json', '/spec/jobTemplate/spec/template/spec'],
  ['podtemplate-create.json', '/template/spec'],
];

/** The fixture with an extra image volume (after a configMap volume) in its pod spec. */
function withImageVolume(file: string, specPointer: string): object {
  const review = fixture(file);
  let spec = review.request.object as Record<string, unknown>;
  for (const key of specPointer.split('/').slice(1)) spec = spec[key] as Record<string, unknown>;
  spec.volumes = [{ name: 'config', configMap: { name: 'c' } }, { name: 'payload', image: { reference: VOLUME_IMAGE, pullPolicy: 'Always' } }];
  return review;
}

describe('bypass class 9: image volumes', () => {
  let app: AdmissionApp;
  const validator = new FakeImageValidator({ deny: { [VOLUME_IMAGE]: [REASON] } });
  const pinner = new FakeImagePinner({
    pinned: Object.fromEntries([VOLUME_IMAGE, 'nginx:1.27', 'library/nginx:1.27', 'registry:5000/a/b:tag'].map((i) => [i, `${i}@${DE}`])),
  });

  beforeAll(async () => {
    app = await startAdmissionApp({ ports: { validator, pinner } });
  });
  afterAll(async () => { await app?.close(); });

  describe.each(KINDS)('in %s', (file, specPointer) => {
    it('validates the volume image and denies it, naming it', async () => {
      const { response } = (await app.review('/validate', withImageVolume(file, specPointer))).json<ReviewBody>();
      expect(validator.calls.at(-1)?.images).toContain(VOLUME_IMAGE);
      expect(response.allowed).toBe(false);
      expect(response.status?.message).toBe(`image "${VOLUME_IMAGE}" denied: ${REASON}`);
    });

    it('pins the volume image at its own patch path', async () => {
      const { response } = (await app.review('/mutate', withImageVolume(file, specPointer))).json<ReviewBody>();
      const ops = JSON.parse(Buffer.from(response.patch ?? '', 'base64').toString()) as Array<{ path: string; value: string }>;
      expect(ops).toContainEqual({ op: 'replace', path: `${specPointer}/volumes/1/image/reference`, value: `${VOLUME_IMAGE}@${DE}` });
    });
  });

  it('denies an image volume whose reference is not a string, naming its path', async () => {
    const review = withImageVolume('pod-update.json', '/spec') as { request: { object: { spec: { volumes: Array<Record<string, unknown>> } } } };
    review.request.object.spec.volumes[1] = { name: 'payload', image: { reference: { repo: 'x' } } };
    const r = await app.review('/validate', review);
    expect(r.status).toBe(200);
    expect(r.json<ReviewBody>().response).toMatchObject({ allowed: false, status: { message: 'portcullis cannot read the object: /spec/volumes/1/image/reference is not a string' } });
  });
});
