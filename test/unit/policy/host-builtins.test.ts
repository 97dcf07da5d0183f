import { describe, expect, it } from '@jest/globals';
import { addDateNs, createHostBuiltins, parseRfc3339Ns } from '../../../src/policy/host-builtins.js';

const text = (v: unknown) => (v instanceof ArrayBuffer ? Buffer.from(v).toString() : v);
const builtins = createHostBuiltins({ nowNs: () => 42n });
const call = (name: string, ...args: unknown[]) => text(builtins[name]!(...args));

describe('host built-ins', () => {
  describe('time.parse_rfc3339_ns', () => {
    it('parses UTC, offsets and fractions exactly', () => {
      expect(parseRfc3339Ns('1970-01-01T00:00:01Z')).toBe(1_000_000_000n);
      expect(parseRfc3339Ns('1970-01-01T01:00:00+01:00')).toBe(0n);
      expect(parseRfc3339Ns('2262-04-11T23:47:16.854775807Z')).toBe(9_223_372_036_854_775_807n);
    });
    it('is undefined for invalid text or impossible dates', () => {
      for (const bad of ['2024-02-30T00:00:00Z', '2024-01-01', 'yesterday', 42, '2024-01-01T00:00:00']) {
        expect(call('time.parse_rfc3339_ns', bad)).toBeUndefined();
      }
    });
  });

  describe('time.add_date', () => {
    it('adds years, months and days with Go normalisation', () => {
      const jan31 = Number(parseRfc3339Ns('2023-01-31T00:00:00Z')! / 1_000_000n) * 1e6;
      expect(addDateNs(jan31, 0, 1, 0)).toBe(BigInt(Date.UTC(2023, 2, 3)) * 1_000_000n);
      expect(addDateNs(jan31, -1, 0, -31)).toBe(BigInt(Date.UTC(2021, 11, 31)) * 1_000_000n);
    });
    it('is undefined for non-integer or non-number arguments', () => {
      expect(call('time.add_date', 0, 1.5, 0, 0)).toBeUndefined();
      expect(call('time.add_date', 'x', 0, 0, 0)).toBeUndefined();
    });
  });

  it('time.now_ns gives the clock as exact JSON', () => {
    expect(call('time.now_ns')).toBe('42');
  });

  it('semver.compare orders versions and ignores nothing', () => {
    expect(call('semver.compare', '1.0.0', '1.0.0-rc.1')).toBe(1);
    expect(call('semver.compare', '1.0.0', '1.0.0')).toBe(0);
    expect(call('semver.compare', 'v1', '1.0.0')).toBeUndefined();
  });

  it('regex.replace accepts Go-style ${1} group references', () => {
    expect(call('regex.replace', 'registry/app:1.2', ':(\\d+)\\.(\\d+)$', ':${2}.${1}')).toBe('registry/app:2.1');
    expect(call('regex.replace', 'abc', '(', 'x')).toBeUndefined();
  });

  it('regex.replace runs on RE2: a pathological pattern and subject complete', () => {
    // On JavaScript's backtracking RegExp this call would never return (2^30000 splits).
    const run = 'a'.repeat(30_000);
    expect(call('regex.replace', `${run}!`, '(a+)+$', 'x')).toBe(`${run}!`);
  });

  it('regex.replace is undefined for what RE2 refuses (backreferences, lookaround)', () => {
    expect(call('regex.replace', 'aa', '(a)\\1', 'x')).toBeUndefined();
    expect(call('regex.replace', 'ab', 'a(?=b)', 'x')).toBeUndefined();
  });

  it('strings.any_prefix_match', () => {
    expect(call('strings.any_prefix_match', ['ghcr.io/org/a', 'docker.io/x'], ['quay.io/', 'docker.io/'])).toBe(true);
    expect(call('strings.any_prefix_match', 'ghcr.io/org/a', 'quay.io/')).toBe(false);
    expect(call('strings.any_prefix_match', 1, 'x')).toBeUndefined();
  });
});
