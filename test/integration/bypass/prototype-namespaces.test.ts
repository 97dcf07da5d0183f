/**
 * Bypass class 7 (issue 13) through the real server, pipeline and registry: a Pod in a
 * namespace named after an Object.prototype member got HTTP 500 from /validate (fail-open
 * under a webhook `failurePolicy: Ignore`). Now it is judged like any other: unsigned denied,
 * signed allowed.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { podReview, startBypassSetting, type BypassSetting, type ReviewResponse } from '../../helpers/bypass-portcullis.js';
import { PROTOTYPE_NAMES } from '../../helpers/prototype-names.js';

let s: BypassSetting;
beforeAll(async () => { s = await startBypassSetting({ config: { validation: { namespaces: { 'team-a': 'audit' } } } }); }, 120_000);
afterAll(async () => { await s?.stop(); });

describe('bypass class 7: prototype-named namespaces, real server', () => {
  it.each(PROTOTYPE_NAMES)('in namespace %s: an unsigned image is denied with HTTP 200, a signed one allowed', async (namespace) => {
    const denied = await s.portcullis.review('/validate', podReview({ containers: [{ name: 'a', image: s.unsigned.pinned }] }, { namespace }));
    expect(denied.status).toBe(200);
    const response = denied.json<{ response: ReviewResponse }>().response;
    expect(response.allowed).toBe(false);
    expect(response.status?.message).toContain(`image "${s.unsigned.pinned}" denied`);
    const allowed = await s.portcullis.review('/validate', podReview({ containers: [{ name: 'a', image: s.signed.pinned }] }, { namespace }));
    expect(allowed.json<{ response: ReviewResponse }>().response.allowed).toBe(true);
  }, 30_000);
});
