/**
 * Bypass class 7 (issue 13): prototype-named input. A Pod in the (valid) namespace
 * `constructor` or `__proto__` got HTTP 500 from /validate — fail-open under a webhook
 * `failurePolicy: Ignore`. Every lookup keyed by input now goes through Map/Set/Object.hasOwn.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createNamespaceModeSource } from '../../../src/kubernetes/namespace-mode-source.js';
import { silentLogger } from '../../../src/observability/logger.js';
import { fixture } from '../../helpers/admission-fixtures.js';
import { startAdmissionApp, type AdmissionApp } from '../../helpers/admission-app.js';
import { createFakeKubeApi } from '../../helpers/fake-kube-api.js';
import { FakeImagePinner } from '../../helpers/fake-image-pinner.js';
import { FakeImageValidator } from '../../helpers/fake-image-validator.js';
import { PROTOTYPE_NAMES } from '../../helpers/prototype-names.js';


const DB = `sha256:${'0b'.repeat(32)}`;
const REASON = 'no valid notation signature';

interface ReviewBody { response: { uid: string; allowed: boolean; status?: { code: number; message: string }; patch?: string; auditAnnotations?: Record<string, string> } }

function inNamespace(file: string, namespace: string): object {
  const review = fixture(file);
  return { ...review, request: { ...review.request, namespace } };
}

describe('bypass class 7: prototype-named namespaces', () => {
  let app: AdmissionApp;
  const api = createFakeKubeApi();
  for (const ns of PROTOTYPE_NAMES) api.setNamespace(ns, { [ns]: ns, 'portcullis.dev/mode': 'enforce' });

  beforeAll(async () => {
    app = await startAdmissionApp({
      ports: {
        validator: new FakeImageValidator({ deny: { 'nginx:1.27': [REASON] } }),
        pinner: new FakeImagePinner({ pinned: { 'nginx:1.27': `nginx:1.27@${DB}` } }),
        namespaceModes: createNamespaceModeSource({ reader: api, logger: silentLogger() }),
      },
      config: { validation: { namespaces: { 'team-a': 'audit' } } },
    });
  });
  afterAll(async () => { await app?.close(); });

  describe.each(PROTOTYPE_NAMES)('a Pod in namespace %s', (ns) => {
    it('is denied by /validate with the image and its reason, not answered with HTTP 500', async () => {
      const r = await app.review('/validate', inNamespace('pod-update.json', ns));
      expect(r.status).toBe(200);
      expect(r.json<ReviewBody>().response).toMatchObject({
        uid: 'pod-update-1', allowed: false, status: { code: 403, message: `image "nginx:1.27" denied: ${REASON}` },
        auditAnnotations: { mode: 'enforce' },
      });
    });

    it('is pinned by /mutate', async () => {
      const r = await app.review('/mutate', inNamespace('pod-update.json', ns));
      expect(r.status).toBe(200);
      const { response } = r.json<ReviewBody>();
      expect(response.allowed).toBe(true);
      expect(JSON.parse(Buffer.from(response.patch ?? '', 'base64').toString())).toEqual([
        { op: 'replace', path: '/spec/containers/0/image', value: `nginx:1.27@${DB}` },
      ]);
    });
  });

  it('keeps per-namespace config for the namespaces it names', async () => {
    const r = await app.review('/validate', inNamespace('pod-update.json', 'team-a'));
    expect(r.json<ReviewBody>().response).toMatchObject({ allowed: true, auditAnnotations: { mode: 'audit', decision: 'would-deny' } });
  });

  it('allows kinds named after prototype members untouched, without 500', async () => {
    for (const name of PROTOTYPE_NAMES) {
      const review = fixture('pod-update.json');
      const request = { ...review.request, kind: { group: name, version: 'v1', kind: name } };
      const r = await app.review('/validate', { ...review, request });
      expect(r.status).toBe(200);
      expect(r.json<ReviewBody>().response).toEqual({ uid: 'pod-update-1', allowed: true });
    }
  });

  it('denies an image named after a prototype member by its own verdict', async () => {
    const review = fixture('pod-update.json');
    const text = JSON.stringify(review).replace('"image":"nginx:1.27"', '"image":"constructor"');
    const deny = await startAdmissionApp({ ports: { validator: new FakeImageValidator({ deny: { constructor: ['unsigned'] } }), pinner: new FakeImagePinner() } });
    try {
      const r = await deny.review('/validate', text);
      expect(r.json<ReviewBody>().response).toMatchObject({ allowed: false, status: { message: 'image "constructor" denied: unsigned' } });
    } finally {
      await deny.close();
    }
  });
});
