import { describe, expect, it } from '@jest/globals';
import { versionInRange } from '../../../../src/verifiers/sbom/version-in-range.js';

describe('versionInRange', () => {
  it('compares semver versions, pre-releases included', () => {
    expect(versionInRange('1.2.3', '<1.3.0')).toBe(true);
    expect(versionInRange('1.3.0', '<1.3.0')).toBe(false);
    expect(versionInRange('1.3.0-beta.1', '<1.3.0')).toBe(true);
  });
  it('reads distribution revisions as revisions, not pre-releases', () => {
    expect(versionInRange('1.35.0-r29', '<1.35.0', 'apk')).toBe(false);
    expect(versionInRange('1.35.0-r29', '>=1.35.0 <1.36.0', 'apk')).toBe(true);
    expect(versionInRange('1:2.36-9+deb12u4', '>=2.36.0', 'deb')).toBe(true);
  });
  it('compares non-semver versions by their leading numbers', () => {
    expect(versionInRange('20220614-r4', '>=20220000')).toBe(true);
    expect(versionInRange('2.4', '<2.5')).toBe(true);
  });
  it('counts a missing or incomparable version as inside the range', () => {
    expect(versionInRange(undefined, '<1.0.0')).toBe(true);
    expect(versionInRange('latest', '<1.0.0')).toBe(true);
  });
});
