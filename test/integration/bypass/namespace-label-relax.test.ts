/**
 * Bypass class 8 (issue 13) through the real server, pipeline and registry: a Namespace
 * labelled `portcullis.dev/mode: audit` by whoever can label Namespaces ran unsigned images.
 * The label now only tightens the mode, except in namespaces `validation.modeLabelMayRelax`
 * lists. (The Namespace labels come from the in-memory KubeReader; the e2e suite reads them from
 * a real kube-apiserver.)
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createNamespaceModeSource } from '../../../src/kubernetes/namespace-mode-source.js';
import { silentLogger } from '../../../src/observability/logger.js';
import { podReview, startBypassSetting, type BypassSetting, type ReviewResponse } from '../../helpers/bypass-portcullis.js';
import { createFakeKubeApi } from '../../helpers/fake-kube-api.js';

let s: BypassSetting;
const api = createFakeKubeApi();
api.setNamespace('attacker', { 'portcullis.dev/mode': 'audit' });
api.setNamespace('sandbox', { 'portcullis.dev/mode': 'audit' });
beforeAll(async () => {
  s = await startBypassSetting({
    config: { validation: { mode: 'enforce', modeLabelMayRelax: { namespaces: ['sandbox'] } } },
    ports: { namespaceModes: createNamespaceModeSource({ reader: api, logger: silentLogger() }) },
  });
}, 120_000);
afterAll(async () => { await s?.stop(); });

const answer = async (namespace: string): Promise<ReviewResponse> =>
  (await s.portcullis.review('/validate', podReview({ containers: [{ name: 'a', image: s.unsigned.pinned }] }, { namespace }))).json<{ response: ReviewResponse }>().response;

describe('bypass class 8: a Namespace label relaxing enforcement, real server', () => {
  it('denies an unsigned image in a Namespace that labelled itself audit', async () => {
    const response = await answer('attacker');
    expect(response.allowed).toBe(false);
    expect(response.status?.message).toContain(`image "${s.unsigned.pinned}" denied`);
    expect(response.auditAnnotations?.['mode-label-ignored']).toBe('audit: the portcullis.dev/mode label may only tighten the mode here');
  }, 30_000);

  it('honours the label in a namespace the config lets relax', async () => {
    expect(await answer('sandbox')).toMatchObject({ allowed: true, auditAnnotations: { mode: 'audit', decision: 'would-deny' } });
  }, 30_000);
});
