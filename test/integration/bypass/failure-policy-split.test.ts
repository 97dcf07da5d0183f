/**
 * Bypass class 6 (issue 13), server side, through the real server: with
 * `admission.failurePolicy: allow`, a registry that accepted the connection and never answered
 * made an unsigned image `allowed: true`, because the answer's deadline fired before the
 * validator could give its verdict. The ports now work to an earlier deadline
 * (src/server/deadline.ts `verdictBudget`), so the stalled image is denied by the validator,
 * naming the registry; pinning follows `mutation.onError`; failurePolicy stays for Portcullis
 * itself being unable to answer (unit: test/unit/bypass/failure-policy-split.test.ts).
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { patchOf, podReview, startBypassSetting, type BypassSetting } from '../../helpers/bypass-portcullis.js';

let s: BypassSetting;
beforeAll(async () => {
  s = await startBypassSetting({ config: { admission: { failurePolicy: 'allow' } } });
}, 120_000);
afterAll(async () => { await s?.stop(); });


describe('bypass class 6: a stalled registry under admission.failurePolicy: allow', () => {
  it('admits the signed image and denies the unsigned one while the registry answers', async () => {
    expect(await s.answer('/validate?timeout=3s', podReview({ containers: [{ name: 'a', image: s.signed.pinned }] }), 3_000)).toMatchObject({ allowed: true });
    const denied = await s.answer('/validate?timeout=3s', podReview({ containers: [{ name: 'a', image: s.unsigned.pinned }] }), 3_000);
    expect(denied.allowed).toBe(false);
  }, 30_000);

  it('denies an unsigned image whose registry never answers, naming the registry, before the API server gives up', async () => {
    const stalled = await s.pushUnsigned('app/stalled');
    s.proxy.setFault((r) => (r.path.includes('/app/stalled/') ? { delayMs: 120_000 } : undefined));
    try {
      const response = await s.answer('/validate?timeout=3s', podReview({ containers: [{ name: 'a', image: stalled.pinned }] }), 3_000);
      expect(response.allowed).toBe(false);
      expect(response.status?.message).toContain(`image "${stalled.pinned}" denied`);
      expect(response.status?.message).toContain(`registry ${s.proxy.host} did not answer in time`);
      expect(response.warnings ?? []).not.toContainEqual(expect.stringContaining('admission.failurePolicy'));
    } finally {
      s.proxy.setFault(undefined);
    }
  }, 30_000);

  it('denies the pin of a tag whose registry never answers (mutation.onError: deny), not failurePolicy allow', async () => {
    s.proxy.setFault((r) => (r.path.includes('/app/unsigned/') ? { delayMs: 120_000 } : undefined));
    try {
      const response = await s.answer('/mutate?timeout=3s', podReview({ containers: [{ name: 'a', image: s.unsigned.tag }, { name: 'b', image: s.signed.tag }] }), 3_000);
      expect(response.allowed).toBe(false);
      expect(response.status?.message).toMatch(new RegExp(`^cannot pin image "${s.unsigned.tag.replace(/[.]/g, '\\.')}" to a digest: `));
      expect(patchOf(response)).toBeUndefined();
    } finally {
      s.proxy.setFault(undefined);
    }
  }, 30_000);
});
