import { beforeAll, describe, expect, it } from '@jest/globals';
import { loadWasmPolicy } from '../../../src/policy/load-wasm-policy.js';
import { readBundle, type PolicyBundle } from '../../../src/policy/read-bundle.js';
import type { PolicyInput } from '../../../src/policy/types.js';
import { buildFixtureBundle } from '../../helpers/build-fixture-bundle.js';
import { PROJECT_ROOT } from '../../helpers/tools.js';

const NOW = 1_700_000_000_123_456_789n;

function input(results: PolicyInput['results'] = []): PolicyInput {
  return {
    subject: { reference: 'r.example/app:1@sha256:aa', registry: 'r.example', repository: 'app', tag: '1', digest: 'sha256:aa', mediaType: 'application/vnd.oci.image.manifest.v1+json' },
    request: { uid: 'u', operation: 'CREATE', namespace: 'default', kind: { group: '', version: 'v1', kind: 'Pod' }, name: 'p', userInfo: { username: 'me', groups: [] } },
    results,
    errors: [],
  };
}

describe('loadWasmPolicy', () => {
  describe('host built-ins', () => {
    let out: Record<string, unknown>;
    let raw: string;
    beforeAll(async () => {
      const bundle = readBundle((await buildFixtureBundle('builtins')).bytes);
      const policy = await loadWasmPolicy(bundle, { nowNs: () => NOW, data: { who: 'config' } });
      expect(policy.builtins).toEqual(['regex.replace', 'semver.compare', 'strings.any_prefix_match', 'time.add_date', 'time.now_ns', 'time.parse_rfc3339_ns']);
      const d = policy.evaluate({ time: '2024-02-29T12:00:00.000000123+01:00', a: '1.2.3', b: '1.10.0', s: 'abc123def45' });
      raw = d.warnings[0]!;
      out = JSON.parse(raw) as Record<string, unknown>;
    }, 60_000);

    it('time.now_ns gives the injected instant, exactly, the same within one evaluation', () => {
      expect(raw).toContain(`"now":${NOW}`);
      expect(raw).toContain(`"now_again":${NOW}`);
    });
    it('time.parse_rfc3339_ns keeps nanoseconds and applies the offset', () => {
      const want = BigInt(Date.UTC(2024, 1, 29, 11, 0, 0)) * 1_000_000n + 123n;
      expect(raw).toContain(`"parsed":${want}`);
    });
    it('time.add_date normalises like Go (Jan 31 + 1 month = Mar 2 in a leap year)', () => {
      expect(raw).toContain(`"plus_one_month":${BigInt(Date.UTC(2024, 2, 2)) * 1_000_000n}`);
    });
    it('semver.compare compares versions, undefined on an invalid one', () => {
      expect(out.semver).toBe(-1);
      expect(out.bad_semver).toBe(true);
    });
    it('regex.replace replaces every match', () => {
      expect(out.replaced).toBe('abcNdefN');
    });
    it('strings.any_prefix_match takes strings or lists on both sides', () => {
      expect(out.prefix).toBe(true);
      expect(out.no_prefix).toBe(false);
    });
    it('config data overrides the bundle data', () => {
      expect(out.data).toBe('config');
    });
  });

  it('refuses, at load, a policy calling a built-in the host does not supply, naming it', async () => {
    const bundle = readBundle((await buildFixtureBundle('missing-builtin')).bytes);
    await expect(loadWasmPolicy(bundle)).rejects.toMatchObject({ code: 'MISSING_BUILTIN', message: expect.stringContaining('crypto.x509.parse_certificates') });
  }, 60_000);

  it('refuses bytes that are not WebAssembly', async () => {
    await expect(loadWasmPolicy({ wasm: Buffer.from('nope'), data: {} })).rejects.toMatchObject({ code: 'INVALID_WASM' });
  });

  it('refuses a bundle without the requested entrypoint', async () => {
    const bundle = readBundle((await buildFixtureBundle('flip')).bytes);
    await expect(loadWasmPolicy(bundle, { entrypoint: 'portcullis/other' })).rejects.toMatchObject({ code: 'INVALID_WASM', message: expect.stringContaining('portcullis/other') });
  }, 60_000);

  it('reports a decision of the wrong shape as a policy error, not a denial', async () => {
    const policy = await loadWasmPolicy(readBundle((await buildFixtureBundle('bad-shape')).bytes));
    expect(() => policy.evaluate(input())).toThrow(expect.objectContaining({ code: 'INVALID_DECISION', message: 'decision.allowed is not a boolean' }));
  }, 60_000);

  describe('the default policy', () => {
    let bundle: PolicyBundle;
    beforeAll(async () => { bundle = readBundle((await buildFixtureBundle(`${PROJECT_ROOT}/policies`)).bytes); }, 60_000);

    it('denies an unsigned image with an actionable reason', async () => {
      const policy = await loadWasmPolicy(bundle);
      expect(policy.evaluate(input())).toEqual({ allowed: false, reasons: ['no valid signature: no Notation or Cosign signature found for this image'], warnings: [] });
    });

    it('keeps its memory flat over 20,000 evaluations', async () => {
      const policy = await loadWasmPolicy(bundle);
      const result = {
        verifier: 'release', type: 'notation' as const, artifactType: 'application/vnd.cncf.notary.signature',
        referrer: { digest: 'sha256:bb', mediaType: 'application/vnd.oci.image.manifest.v1+json', annotations: { a: 'x'.repeat(2000) } },
        valid: true, message: 'signed by CN=release', details: { chain: ['CN=release', 'CN=ca'] }, nested: [],
      };
      const big = input([result, { ...result, valid: false, message: 'expired' }, result]);
      for (let i = 0; i < 200; i++) policy.evaluate(big);
      const settled = policy.memoryBytes();
      for (let i = 0; i < 20_000; i++) {
        const d = policy.evaluate(i % 2 ? big : input());
        if (d.allowed !== (i % 2 === 1)) throw new Error(`evaluation ${i} gave ${JSON.stringify(d)}`);
      }
      expect(policy.memoryBytes()).toBe(settled);
    }, 120_000);
  });
});
