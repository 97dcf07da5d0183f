/**
 * Bypass class 10 (issue 13) through the real server and registry: on the
 * `pods/ephemeralcontainers` subresource (`kubectl debug`), only ephemeral containers that
 * `oldObject` does not hold are pinned — the API server refuses any change to existing ones, so
 * patching them made the second `kubectl debug` fail — and the new ones are validated.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { patchOf, podReview, startBypassSetting, type BypassSetting } from '../../helpers/bypass-portcullis.js';

let s: BypassSetting;
beforeAll(async () => { s = await startBypassSetting(); }, 120_000);
afterAll(async () => { await s?.stop(); });

/** A second debug container added next to a first one that already exists. */
const debug = (existing: string, added: string) => {
  const containers = [{ name: 'app', image: s.signed.pinned }];
  const first = { name: 'debugger', image: existing, targetContainerName: 'app' };
  return podReview(
    { containers, ephemeralContainers: [first, { name: 'debugger-2', image: added, targetContainerName: 'app' }] },
    { operation: 'UPDATE', subResource: 'ephemeralcontainers', oldSpec: { containers, ephemeralContainers: [first] } },
  );
};

describe('bypass class 10: pods/ephemeralcontainers, real registry', () => {
  it('pins only the new ephemeral container, not the existing (unpinned) one', async () => {
    const response = await s.answer('/mutate', debug(s.unsigned.tag, s.signed.tag));
    expect(response.allowed).toBe(true);
    expect(patchOf(response)).toEqual([{ op: 'replace', path: '/spec/ephemeralContainers/1/image', value: s.signed.pinned }]);
  }, 30_000);

  it('validates the new ephemeral container: a signed one is allowed beside an existing one, an unsigned one denied', async () => {
    expect(await s.answer('/validate', debug(s.unsigned.pinned, s.signed.pinned))).toMatchObject({ allowed: true });
    const denied = await s.answer('/validate', debug(s.signed.pinned, s.unsigned.pinned));
    expect(denied.allowed).toBe(false);
    expect(denied.status?.message).toContain(`image "${s.unsigned.pinned}" denied`);
  }, 30_000);
});
