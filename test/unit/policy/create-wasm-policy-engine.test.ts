import { afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { cpSync, mkdtempSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createMetrics } from '../../../src/observability/metrics.js';
import { silentLogger } from '../../../src/observability/logger.js';
import { createWasmPolicyEngine } from '../../../src/policy/create-wasm-policy-engine.js';
import { watchPolicyBundle, type PolicyBundleWatcher } from '../../../src/policy/watch-policy-bundle.js';
import type { PolicyInput } from '../../../src/policy/types.js';
import { buildFixtureBundle } from '../../helpers/build-fixture-bundle.js';
import { PROJECT_ROOT } from '../../helpers/tools.js';

const input: PolicyInput = {
  subject: { reference: 'r.example/app@sha256:aa', registry: 'r.example', repository: 'app', digest: 'sha256:aa', mediaType: 'application/vnd.oci.image.manifest.v1+json' },
  request: { uid: 'u', operation: 'CREATE', namespace: 'default', kind: { group: '', version: 'v1', kind: 'Pod' }, name: 'p', userInfo: { username: 'me', groups: [] } },
  results: [],
  errors: [],
};

/** Builds the flip policy with a given data.json (allow or deny everything). */
async function flipBundle(allow: boolean, generation: string): Promise<Uint8Array> {
  const dir = mkdtempSync(join(tmpdir(), 'portcullis-flip-'));
  cpSync(join(PROJECT_ROOT, 'test/fixtures/policy/flip'), dir, { recursive: true });
  writeFileSync(join(dir, 'data.json'), JSON.stringify({ allow, generation }));
  return (await buildFixtureBundle(dir)).bytes;
}

async function reloadsOf(metrics: ReturnType<typeof createMetrics>, result: string): Promise<number> {
  const m = await metrics.policyReloads.get();
  return m.values.find((v) => v.labels.result === result)?.value ?? 0;
}

describe('createWasmPolicyEngine', () => {
  let allowAll: Uint8Array;
  let denyAll: Uint8Array;
  beforeAll(async () => {
    [allowAll, denyAll] = await Promise.all([flipBundle(true, '1'), flipBundle(false, '2')]);
  }, 60_000);

  it('refuses to evaluate before a policy is loaded', async () => {
    await expect(createWasmPolicyEngine().evaluate(input)).rejects.toMatchObject({ code: 'NOT_LOADED' });
  });

  it('refuses a broken bundle, counts it and keeps the current policy', async () => {
    const metrics = createMetrics(undefined, { defaults: false });
    const engine = createWasmPolicyEngine({ metrics, logger: silentLogger() });
    await engine.load(allowAll);
    await expect(engine.load(Buffer.from('garbage'))).rejects.toMatchObject({ code: 'INVALID_BUNDLE' });
    expect(engine.generation).toBe(1);
    expect(await engine.evaluate(input)).toEqual({ allowed: true, reasons: [], warnings: [] });
    expect(await reloadsOf(metrics, 'success')).toBe(1);
    expect(await reloadsOf(metrics, 'failure')).toBe(1);
  });

  it('swaps policies under 50 concurrent evaluators with zero failures', async () => {
    const engine = createWasmPolicyEngine();
    await engine.load(allowAll);
    let swapped = false;
    const failures: unknown[] = [];
    const afterSwap: boolean[] = [];
    const client = async () => {
      for (let i = 0; i < 200; i++) {
        const sawSwap = swapped;
        try {
          const d = await engine.evaluate(input);
          if (sawSwap) afterSwap.push(d.allowed);
        } catch (e) { failures.push(e); }
        await new Promise((r) => setImmediate(r));
      }
    };
    const clients = Array.from({ length: 50 }, client);
    await new Promise((r) => setTimeout(r, 5));
    await engine.load(denyAll);
    swapped = true;
    await expect(engine.load(Buffer.from('broken while serving'))).rejects.toMatchObject({ code: 'INVALID_BUNDLE' });
    await Promise.all(clients);
    expect(failures).toEqual([]);
    expect(afterSwap.length).toBeGreaterThan(0);
    expect(afterSwap.every((a) => a === false)).toBe(true);
    expect(await engine.evaluate(input)).toEqual({ allowed: false, reasons: ['denied by flip policy generation 2'], warnings: [] });
  }, 60_000);

  describe('watchPolicyBundle', () => {
    let watcher: PolicyBundleWatcher | undefined;
    afterEach(async () => { await watcher?.close(); watcher = undefined; });

    it('loads a bundle replaced on disk, refuses a broken one and keeps serving', async () => {
      const dir = mkdtempSync(join(tmpdir(), 'portcullis-watch-'));
      const file = join(dir, 'bundle.tar.gz');
      writeFileSync(file, allowAll);
      const metrics = createMetrics(undefined, { defaults: false });
      const engine = createWasmPolicyEngine({ metrics, logger: silentLogger() });
      await engine.load(readFileSync(file), file);
      const results: string[] = [];
      let wake: () => void = () => undefined;
      watcher = watchPolicyBundle(file, engine, {
        logger: silentLogger(),
        onReload: (r) => { results.push(r); wake(); },
      });
      await watcher.ready;
      const next = (count: number) => new Promise<void>((resolve, reject) => {
        const t = setTimeout(() => reject(new Error(`no reload after ${results.join(',')}`)), 10_000);
        wake = () => { if (results.length >= count) { clearTimeout(t); resolve(); } };
      });

      // atomic replacement, as a deploy pipeline or a Kubernetes volume update does it
      writeFileSync(join(dir, 'new.tmp'), denyAll);
      let done = next(1);
      renameSync(join(dir, 'new.tmp'), file);
      await done;
      expect(results.at(-1)).toBe('success');
      expect((await engine.evaluate(input)).allowed).toBe(false);

      done = next(results.length + 1);
      writeFileSync(file, 'not a bundle');
      await done;
      expect(results.at(-1)).toBe('failure');
      expect((await engine.evaluate(input)).allowed).toBe(false);
      expect(await reloadsOf(metrics, 'failure')).toBe(1);

      done = next(results.length + 1);
      writeFileSync(file, allowAll);
      await done;
      expect(results.at(-1)).toBe('success');
      expect((await engine.evaluate(input)).allowed).toBe(true);
    }, 60_000);
  });
});

