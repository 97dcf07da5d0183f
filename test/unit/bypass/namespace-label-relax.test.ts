/**
 * Bypass class 8 (issue 13): anyone who could create or label a Namespace could set
 * `portcullis.dev/mode: audit` and run unsigned images. The label may now only tighten the
 * configured mode (enforce > warn > audit), except in namespaces that
 * `validation.modeLabelMayRelax` names or selects.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { parseConfig } from '../../../src/config/load-config.js';
import { createNamespaceModeSource } from '../../../src/kubernetes/namespace-mode-source.js';
import { silentLogger } from '../../../src/observability/logger.js';
import { fixture } from '../../helpers/admission-fixtures.js';
import { startAdmissionApp, type AdmissionApp } from '../../helpers/admission-app.js';
import { createFakeKubeApi } from '../../helpers/fake-kube-api.js';
import { FakeImagePinner } from '../../helpers/fake-image-pinner.js';
import { FakeImageValidator } from '../../helpers/fake-image-validator.js';

const REASON = 'no valid notation signature';
interface ReviewBody { response: { allowed: boolean; status?: { message: string }; warnings?: string[]; auditAnnotations?: Record<string, string> } }

function inNamespace(namespace: string): object {
  const review = fixture('pod-update.json');
  return { ...review, request: { ...review.request, namespace } };
}

describe('bypass class 8: a Namespace label relaxing enforcement', () => {
  let app: AdmissionApp;
  const api = createFakeKubeApi();
  api.setNamespace('attacker', { 'portcullis.dev/mode': 'audit' });
  api.setNamespace('attacker-warn', { 'portcullis.dev/mode': 'warn' });
  api.setNamespace('sandbox', { 'portcullis.dev/mode': 'audit' });
  api.setNamespace('selected', { 'portcullis.dev/mode': 'audit', tier: 'playground' });
  api.setNamespace('self-selected', { 'portcullis.dev/mode': 'audit', tier: 'prod' });
  api.setNamespace('strict', { 'portcullis.dev/mode': 'enforce' });
  const base = {
    validation: {
      mode: 'enforce',
      modeLabelMayRelax: { namespaces: ['sandbox'], selector: { matchExpressions: [{ key: 'tier', operator: 'In', values: ['playground'] }] } },
    },
  };

  beforeAll(async () => {
    app = await startAdmissionApp({
      ports: {
        validator: new FakeImageValidator({ deny: { 'nginx:1.27': [REASON] } }),
        pinner: new FakeImagePinner(),
        namespaceModes: createNamespaceModeSource({ reader: api, logger: silentLogger() }),
      },
      config: base,
    });
  });
  afterAll(async () => { await app?.close(); });

  it.each(['attacker', 'attacker-warn', 'self-selected'])('denies an unsigned image in %s, whose label asks for a weaker mode', async (ns) => {
    const { response } = (await app.review('/validate', inNamespace(ns))).json<ReviewBody>();
    expect(response).toMatchObject({ allowed: false, status: { message: `image "nginx:1.27" denied: ${REASON}` } });
    expect(response.auditAnnotations).toMatchObject({ mode: 'enforce', 'mode-label-ignored': expect.stringMatching(/^(audit|warn): the portcullis.dev\/mode label may only tighten the mode here$/) });
  });

  it('lets the label relax the mode in a namespace config names', async () => {
    const { response } = (await app.review('/validate', inNamespace('sandbox'))).json<ReviewBody>();
    expect(response).toMatchObject({ allowed: true, auditAnnotations: { mode: 'audit', decision: 'would-deny' } });
  });

  it('lets the label relax the mode in a namespace the selector matches', async () => {
    const { response } = (await app.review('/validate', inNamespace('selected'))).json<ReviewBody>();
    expect(response).toMatchObject({ allowed: true, auditAnnotations: { mode: 'audit' } });
  });

  it('lets the label tighten a weaker global mode anywhere', async () => {
    app.setConfig({ validation: { mode: 'audit' } });
    try {
      expect((await app.review('/validate', inNamespace('strict'))).json<ReviewBody>().response).toMatchObject({ allowed: false, auditAnnotations: { mode: 'enforce' } });
      const warn = (await app.review('/validate', inNamespace('attacker-warn'))).json<ReviewBody>().response;
      expect(warn).toMatchObject({ allowed: true, warnings: [`portcullis (warn mode): image "nginx:1.27" denied: ${REASON}`] });
    } finally {
      app.setConfig(base);
    }
  });

  it('refuses a selector operator Kubernetes does not have, naming the field', () => {
    expect(() => parseConfig({ validation: { modeLabelMayRelax: { selector: { matchExpressions: [{ key: 'a', operator: 'Gt' }] } } } }, { baseDir: '/' }))
      .toThrow(/validation\.modeLabelMayRelax\.selector\.matchExpressions\[0\]\.operator/);
  });
});
